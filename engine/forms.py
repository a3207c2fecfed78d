"""User-task forms: JSON Schemas checked at deploy and server-side validation in Russian.

A user task names its form with the Spiff property ``formJsonSchemaFilename`` (and
optionally ``formUiSchemaFilename``). Deploy checks the form's bytes from the bundle
(``form_problem``) and stores them with the version (``engine.form_store``); submitted
data is validated here before the engine sees it, and errors come back per field with
Russian messages, so the page can show them next to what the user typed.

``load_form`` reads a form from ``forms/`` by name; only versions deployed before forms
were stored with the version (migration 0006) still use it.
"""

from __future__ import annotations

import json
import stat
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from engine.errors import FormValidationError, NotFound

_TYPE_NAMES = {"string": "строка", "number": "число", "integer": "целое число",
               "boolean": "да/нет", "array": "список", "object": "объект"}
_FORMAT_NAMES = {"date": "дата (ГГГГ-ММ-ДД)", "date-time": "дата и время", "email": "e-mail",
                 "uri": "ссылка"}


def form_problem(name: str, content: bytes | None, *, schema: bool) -> tuple[dict | None, str | None]:
    """``(parsed form, None)``, or ``(None, why it cannot be used)``: missing, not JSON, not a JSON Schema.

    ``schema`` says the file is the task's JSON Schema; otherwise it holds UI hints, which
    only have to be a JSON object.
    """
    what = "файл формы" if schema else "файл подсказок формы"
    if content is None:
        return None, f"{what} «{name}» не найден"
    try:
        parsed = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError:
        return None, f"{what} «{name}» не в кодировке UTF-8"
    except json.JSONDecodeError as exc:
        return None, f"{what} «{name}» не является JSON: {exc.msg}, строка {exc.lineno}"
    if not isinstance(parsed, dict):
        return None, f"{what} «{name}» должен содержать JSON-объект"
    if schema:
        try:
            Draft202012Validator.check_schema(parsed)
        except SchemaError as exc:
            return None, f"{what} «{name}» не является JSON Schema: {exc.message}"
    return parsed, None


def compile_schema(schema: dict) -> Draft202012Validator:
    """A validator for ``schema`` (building one per submission is slow: callers keep it)."""
    return Draft202012Validator(schema, format_checker=FormatChecker())


def schema_path(forms_dir: Path, name: str) -> Path:
    path = (forms_dir / name).resolve()
    if forms_dir.resolve() not in path.parents:
        raise NotFound(f"Форма «{name}» вне каталога форм")
    return path


@lru_cache(maxsize=256)
def _load(path: str, mtime: float) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _form_file(forms_dir: Path, name: str) -> tuple[str, float]:
    """(path, mtime) of a form file: the cache key of its parsed JSON and its validator."""
    path = schema_path(forms_dir, name)
    try:
        info = path.stat()
    except OSError:
        info = None
    if info is None or not stat.S_ISREG(info.st_mode):
        raise NotFound(f"Файл формы «{name}» не найден в {forms_dir}")
    return str(path), info.st_mtime


def load_form(forms_dir: Path, name: str) -> dict:
    """The parsed JSON of a form or UI file in ``forms_dir`` (cached until the file changes)."""
    return _load(*_form_file(forms_dir, name))


@lru_cache(maxsize=256)
def _validator(path: str, mtime: float) -> Draft202012Validator:
    """A compiled validator per schema file version."""
    return compile_schema(_load(path, mtime))


def file_validator(forms_dir: Path, name: str) -> Draft202012Validator:
    """The compiled validator of a schema file in ``forms_dir`` (cached until the file changes)."""
    return _validator(*_form_file(forms_dir, name))


def _field(error: Any) -> str:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path.append(missing)
    return ".".join(path) or "_form"


_SIMPLE_MESSAGES = {
    "maxLength": "Не длиннее {arg} символов",
    "minimum": "Значение должно быть не меньше {arg}",
    "maximum": "Значение должно быть не больше {arg}",
    "exclusiveMinimum": "Значение должно быть больше {arg}",
    "exclusiveMaximum": "Значение должно быть меньше {arg}",
    "enum": "Выберите значение из списка",
    "minItems": "Выберите не менее {arg}",
    "maxItems": "Выберите не более {arg}",
}


def _message(error: Any, schema: dict) -> str:
    v, arg = error.validator, error.validator_value
    if v == "required":
        return "Обязательное поле"
    if v == "type":
        kinds = arg if isinstance(arg, list) else [arg]
        return "Ожидается " + " или ".join(str(_TYPE_NAMES.get(k, k)) for k in kinds)
    if v == "minLength":
        return "Поле не может быть пустым" if arg == 1 else f"Не короче {arg} символов"
    if v == "format":
        return f"Неверный формат: ожидается {_FORMAT_NAMES.get(arg, arg)}"
    if v in _SIMPLE_MESSAGES:
        return _SIMPLE_MESSAGES[v].format(arg=arg)
    fallback = "Неверный формат значения" if v == "pattern" else "Неверное значение"
    return error.schema.get("errorMessage") or fallback


def validate(schema: dict, data: dict, validator: Draft202012Validator | None = None
             ) -> dict[str, list[str]]:
    """Field path -> Russian messages; empty when ``data`` satisfies ``schema``."""
    validator = validator or compile_schema(schema)
    errors: dict[str, list[str]] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        errors.setdefault(_field(error), []).append(_message(error, schema))
    return errors


def check_submission(schema: dict | None, data: Any, validator: Draft202012Validator | None = None) -> None:
    """Raise ``FormValidationError`` unless ``data`` fits ``schema`` (None: the task has no form)."""
    if not isinstance(data, dict):
        raise FormValidationError({"_form": ["Данные формы должны быть объектом"]})
    if schema is None:
        return
    errors = validate(schema, data, validator)
    if errors:
        raise FormValidationError(errors)

"""Checks of an uploaded DOCX template, before anything is stored.

In order, each refusal a Russian message naming the problem:

1. the container: not empty, at most ``MAX_UPLOAD`` bytes; an OLE file is an encrypted
   (password-protected) document or an old «.doc»; anything else that is no ZIP is not a DOCX;
2. the ZIP: at most ``MAX_ENTRIES`` entries, at most ``MAX_EXPANDED`` bytes expanded — counted
   while actually inflating, so a bomb lying about its sizes is stopped too — and at most
   ``MAX_RATIO`` compression per large entry;
3. the package: a Word document (``word/document.xml``), not macro-enabled («.docm»: a
   ``vbaProject.bin`` or the macro content type), no DOCTYPE/ENTITY in any XML part (XXE);
4. the tags: every Jinja tag parses (a broken one is listed with the paragraph's text so
   the author knows what to retype — a tag must sit in one run of the same formatting), and
   every placeholder is a known field (``placeholders.KNOWN``; unknown ones listed by name).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from jinja2 import Environment, TemplateSyntaxError, nodes

from models.documents.placeholders import KNOWN, LOOPS

MAX_UPLOAD = 10 * 1024 * 1024
MAX_ENTRIES = 500
MAX_EXPANDED = 50 * 1024 * 1024
MAX_RATIO = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_TYPE = b"macroEnabled"
TAG_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
OPENERS = ("{{", "{%")


class TemplateRefused(ValueError):
    """The upload is refused; ``problems`` are Russian lines, each naming one problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class TemplateReport:
    placeholders: list[str] = field(default_factory=list)


def _refuse(message: str) -> TemplateRefused:
    return TemplateRefused([message])


def check_container(data: bytes, filename: str) -> zipfile.ZipFile:
    """The ZIP of a DOCX that is safe to open, or ``TemplateRefused``."""
    if not data:
        raise _refuse("Файл пустой")
    if len(data) > MAX_UPLOAD:
        raise _refuse(f"Файл больше {MAX_UPLOAD // (1024 * 1024)} МБ")
    if filename.lower().endswith(".docm"):
        raise _refuse("Файл с макросами (.docm) не принимается: сохраните документ как .docx")
    if data.startswith(OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise _refuse("Файл зашифрован (защищён паролем): снимите пароль и загрузите снова")
        raise _refuse("Это не DOCX, а старый формат Word (.doc): сохраните документ как .docx")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _refuse("Это не DOCX: файл не является документом Word (.docx)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _refuse(f"Это не DOCX: архив повреждён ({exc})") from None
    _check_sizes(archive, infos)
    return archive


def _check_sizes(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise _refuse(f"Подозрительный архив: {len(infos)} файлов внутри (допустимо до {MAX_ENTRIES})")
    declared = sum(info.file_size for info in infos)
    if declared > MAX_EXPANDED:
        raise _refuse(
            f"Подозрительный архив (zip-бомба): в распакованном виде {declared // (1024 * 1024)} МБ, "
            f"допустимо до {MAX_EXPANDED // (1024 * 1024)} МБ"
        )
    total = 0
    for info in infos:
        if (
            info.file_size > 1024 * 1024
            and info.compress_size
            and info.file_size / info.compress_size > MAX_RATIO
        ):
            raise _refuse(
                f"Подозрительный архив (zip-бомба): «{info.filename}» сжат в "
                f"{info.file_size // max(info.compress_size, 1)} раз"
            )
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(64 * 1024):
                    total += len(chunk)
                    if total > MAX_EXPANDED:
                        raise _refuse(
                            "Подозрительный архив (zip-бомба): распакованный размер больше "
                            f"{MAX_EXPANDED // (1024 * 1024)} МБ"
                        )
        except (zipfile.BadZipFile, RuntimeError, EOFError, OSError) as exc:
            raise _refuse(f"Это не DOCX: архив повреждён или зашифрован ({exc})") from None


def check_package(archive: zipfile.ZipFile) -> None:
    names = set(archive.namelist())
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise _refuse("Это не DOCX: в архиве нет документа Word")
    if any(name.lower().endswith("vbaproject.bin") for name in names) or MACRO_TYPE in archive.read(
        "[Content_Types].xml"
    ):
        raise _refuse("Файл с макросами (.docm) не принимается: сохраните документ как .docx")
    for name in names:
        if name.endswith((".xml", ".rels")):
            head = archive.read(name)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise _refuse(f"Недопустимая конструкция DOCTYPE/ENTITY в «{name}»")


def _paragraph_text(xml_line: str) -> str:
    texts = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml_line)
    return "".join(texts).strip() or re.sub(r"<[^>]+>", "", xml_line).strip()


def _tag_problems(env: Environment, lines: list[str]) -> list[str]:
    """Tags broken inside one paragraph: unbalanced braces, or an expression that does not parse."""
    problems = []
    for line in lines:
        text = _paragraph_text(line)
        if "{" not in text and "}" not in text:
            continue
        balanced = text.count("{{") == text.count("}}") and text.count("{%") == text.count("%}")
        if not balanced:
            problems.append(
                f"Незакрытый или разорванный тег в тексте «{text[:200]}»: перепечатайте тег целиком "
                "одним форматированием"
            )
            continue
        for tag in TAG_RE.findall(text):
            if tag.startswith("{{"):
                try:
                    env.parse(tag)
                except TemplateSyntaxError as exc:
                    problems.append(f"Ошибка в теге «{tag}» (текст «{text[:200]}»): {exc.message}")
    return problems


class _Names:
    """Dotted names the template reads (``client.inn``, ``row.name`` inside a products loop)."""

    def __init__(self) -> None:
        self.found: set[str] = set()

    def walk(self, node: nodes.Node, bound: dict[str, str]) -> None:
        if isinstance(node, nodes.For):
            target = node.target.name if isinstance(node.target, nodes.Name) else None
            self.walk(node.iter, bound)
            inner = dict(bound)
            if target:
                source = node.iter.name if isinstance(node.iter, nodes.Name) else ""
                inner[target] = LOOPS.get(source, "?")
                inner["loop"] = "loop"
            for child in (*node.body, *node.else_, *([node.test] if node.test else [])):
                self.walk(child, inner)
            return
        if isinstance(node, nodes.Getattr | nodes.Name):
            path = _dotted(node)
            if path is not None:
                self._add(path, bound)
                return
        for child in node.iter_child_nodes():
            self.walk(child, bound)

    def _add(self, path: str, bound: dict[str, str]) -> None:
        root, _, rest = path.partition(".")
        if root in bound:
            if bound[root] == "loop":
                return
            path = f"{bound[root]}.{rest}" if rest else bound[root]
        self.found.add(path)


def _dotted(node: nodes.Node) -> str | None:
    parts = []
    while isinstance(node, nodes.Getattr):
        parts.append(node.attr)
        node = node.node
    if isinstance(node, nodes.Name):
        parts.append(node.name)
        return ".".join(reversed(parts))
    return None


def _unknown(paths: set[str]) -> list[str]:
    unknown = []
    for path in sorted(paths):
        if path in KNOWN or path in LOOPS or path in ("row",):
            continue
        if any(known.startswith(path + ".") for known in KNOWN):  # {{ client }} alone: a group, still unknown
            unknown.append(path)
            continue
        unknown.append(path)
    return unknown


def check_tags(xml_parts: list[str]) -> TemplateReport:
    """Parse every tag of the (patched) XML parts; list broken tags and unknown placeholders."""
    env = Environment(autoescape=True)  # parsing only: nothing is rendered here
    problems: list[str] = []
    names = _Names()
    for xml in xml_parts:
        lines = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml).split("\n")
        broken = _tag_problems(env, lines)
        problems.extend(broken)
        if broken:
            continue
        try:
            tree = env.parse("\n".join(lines))
        except TemplateSyntaxError as exc:
            line = lines[exc.lineno - 1] if exc.lineno and exc.lineno <= len(lines) else ""
            problems.append(
                f"Ошибка в шаблоне около текста «{_paragraph_text(line)[:200]}»: {exc.message} "
                "(проверьте парные {% for %}/{% endfor %}, {% if %}/{% endif %})"
            )
            continue
        names.walk(tree, {})
    unknown = _unknown(names.found)
    if unknown:
        problems.append(
            "Неизвестные поля: "
            + ", ".join(f"«{name}»" for name in unknown)
            + " — выберите поле из списка на странице шаблонов"
        )
    if problems:
        raise TemplateRefused(problems)
    return TemplateReport(sorted(names.found))


def check_template(data: bytes, filename: str) -> TemplateReport:
    """Every check in order; ``TemplateRefused`` with the problems, else the placeholders used."""
    archive = check_container(data, filename)
    check_package(archive)
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate  # python-docx parses with entities off (oxml parser)

    try:
        template = DocxTemplate(io.BytesIO(data))
        template.init_docx()
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise _refuse(f"Это не DOCX: {exc}") from None
    parts = [template.patch_xml(template.get_xml())]
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        for _key, part in template.get_headers_footers(uri):
            parts.append(template.patch_xml(template.get_part_xml(part)))
    return check_tags(parts)

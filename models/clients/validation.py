"""The rules a client or contact card must satisfy, as one function used by every entry point.

Pages, the API and the import all call ``clean_client`` / ``clean_contact``; each returns
the normalised values and a dict of Russian messages per field, so the same input is
accepted or refused the same way whichever door it comes through. Requirements per kind:

* юрлицо — full and short name, INN of 10 digits, KPP, OGRN (13);
* ИП — name, INN of 12 digits, OGRNIP (15), no KPP;
* физлицо — full name and a phone or an e-mail, or else other identity: date of birth, passport
  (kept as a keyed hash and a mask) or an address (INN optional, 12 digits);
* госорган — name and INN of 10 digits (KPP and OGRN checked when given).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from models.clients.cards import CLIENT_STATUSES, ClientKind
from models.clients.person_identity import clean_identity, has_identity
from models.clients.phones import email_error, normalize_email, normalize_phone, phone_error, split_values
from models.clients.requisites import inn_error, kpp_error, ogrn_error, ogrnip_error
from models.platform.db import utcnow

TEXT_LIMITS = {
    "full_name": 500, "short_name": 300, "legal_address": 2000, "postal_address": 2000,
    "industry": 100, "territory": 100, "segment": 50, "source": 100, "notes": 10000,
    "head_name": 300, "head_position": 200,
}
CLIENT_FIELDS = (
    "kind", "full_name", "short_name", "inn", "kpp", "ogrn", "legal_address", "postal_address",
    "phones", "emails", "industry", "territory", "segment", "status", "source", "notes", "tags",
    "head_name", "head_position",
)
FIELD_LABELS = {
    "kind": "Тип", "full_name": "Полное наименование", "short_name": "Краткое наименование",
    "inn": "ИНН", "kpp": "КПП", "ogrn": "ОГРН/ОГРНИП", "legal_address": "Юридический адрес",
    "postal_address": "Почтовый адрес", "phone": "Телефон", "extra_phones": "Доп. телефоны",
    "email": "E-mail", "extra_emails": "Доп. e-mail", "phones": "Телефоны", "emails": "E-mail",
    "industry": "Отрасль", "territory": "Территория", "segment": "Сегмент", "status": "Статус",
    "source": "Источник", "notes": "Примечание", "tags": "Теги", "head_name": "Руководитель",
    "head_position": "Должность руководителя", "owner_id": "Ответственный",
    "registry_status": "Статус в реестре", "registry_checked_at": "Проверен в реестре",
    "position": "Должность", "is_decision_maker": "ЛПР", "client_id": "Клиент",
    "import_batch_id": "Импорт", "birth_date": "Дата рождения", "passport_masked": "Паспорт",
    "address": "Адрес", "registry_flag": "Предупреждение реестра",
}
_KINDS = frozenset(k.value for k in ClientKind)  # built once: an import checks every row
_PERSON = ClientKind.PERSON.value
PERSON_IDENTITY_MISSING = "Укажите телефон или e-mail — или дату рождения, паспорт, адрес"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split()) if not isinstance(value, str) or "\n" not in value else value.strip()
    return text or None


def _digits(value: Any) -> str | None:
    text = "".join(str(value or "").split())
    return text.upper() or None


def parse_tags(value: Any) -> list[str]:
    """Tags from a list or a comma-separated string, trimmed, each once, in order."""
    items = value if isinstance(value, list | tuple) else str(value or "").split(",")
    tags: list[str] = []
    for item in items:
        tag = " ".join(str(item).split())[:50]
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _clean_points(raw: Mapping[str, Any], errors: dict[str, str], values: dict[str, Any]) -> None:
    phones = split_values(raw.get("phones")) if "phones" in raw else (
        split_values(raw.get("phone")) + split_values(raw.get("extra_phones")))
    emails = split_values(raw.get("emails")) if "emails" in raw else (
        split_values(raw.get("email")) + split_values(raw.get("extra_emails")))
    parsed = [(p, normalize_phone(p)) for p in phones]  # libphonenumber parses each number once
    bad_phone = next((phone_error(p) for p, norm in parsed if norm is None), None)
    bad_email = next((email_error(e) for e in emails if normalize_email(e) is None), None)
    if bad_phone:
        errors["phones"] = bad_phone
    if bad_email:
        errors["emails"] = bad_email
    norm_phones = list(dict.fromkeys(norm for _, norm in parsed if norm))
    norm_emails = list(dict.fromkeys(e for e in map(normalize_email, emails) if e))
    values["phone"] = norm_phones[0] if norm_phones else None
    values["extra_phones"] = norm_phones[1:] or None
    values["email"] = norm_emails[0] if norm_emails else None
    values["extra_emails"] = norm_emails[1:] or None


def _required(values: dict[str, Any], errors: dict[str, str], field: str, message: str) -> bool:
    if not values.get(field):
        errors.setdefault(field, message)
        return False
    return True


def _check(values: dict[str, Any], errors: dict[str, str], field: str,
           check: Callable[[str], str | None]) -> None:
    if values.get(field):
        message = check(values[field])
        if message:
            errors.setdefault(field, message)


def _company_rules(values: dict[str, Any], errors: dict[str, str]) -> None:
    _required(values, errors, "short_name", "Укажите краткое наименование")
    if _required(values, errors, "inn", "ИНН не указан"):
        _check(values, errors, "inn", lambda v: inn_error(v, length=10))
    if _required(values, errors, "kpp", "КПП не указан"):
        _check(values, errors, "kpp", kpp_error)
    if _required(values, errors, "ogrn", "ОГРН не указан"):
        _check(values, errors, "ogrn", ogrn_error)


def _entrepreneur_rules(values: dict[str, Any], errors: dict[str, str]) -> None:
    if _required(values, errors, "inn", "ИНН не указан"):
        _check(values, errors, "inn", lambda v: inn_error(v, length=12))
    if _required(values, errors, "ogrn", "ОГРНИП не указан"):
        _check(values, errors, "ogrn", ogrnip_error)
    if values.get("kpp"):
        errors["kpp"] = "У индивидуального предпринимателя нет КПП"


def _person_rules(values: dict[str, Any], errors: dict[str, str]) -> None:
    # Phone or e-mail — or other identity (birth date, passport, address): checked in clean_client,
    # which sees the raw input (a passport kept from before is not typed again).
    _check(values, errors, "inn", lambda v: inn_error(v, length=12))
    if values.get("kpp") or values.get("ogrn"):
        errors["kpp" if values.get("kpp") else "ogrn"] = "У физического лица нет КПП и ОГРН"


def _state_rules(values: dict[str, Any], errors: dict[str, str]) -> None:
    if _required(values, errors, "inn", "ИНН не указан"):
        _check(values, errors, "inn", lambda v: inn_error(v, length=10))
    _check(values, errors, "kpp", kpp_error)
    _check(values, errors, "ogrn", ogrn_error)


_KIND_RULES = {ClientKind.COMPANY.value: _company_rules,
               ClientKind.ENTREPRENEUR.value: _entrepreneur_rules,
               ClientKind.PERSON.value: _person_rules, ClientKind.STATE.value: _state_rules}


def clean_client(raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Normalise a whole card and check it; returns (values for the model, errors by field)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    kind = str(raw.get("kind") or "").strip()
    if kind not in _KINDS:
        errors["kind"] = "Выберите тип клиента: юрлицо, ИП, физлицо или госорган"
    values["kind"] = kind
    for field, limit in TEXT_LIMITS.items():
        given = raw.get(field)
        if given is None:  # most fields of an imported row are not given at all
            values[field] = None
            continue
        values[field] = text = _text(given)
        if text and len(text) > limit:
            errors[field] = f"{FIELD_LABELS[field]}: не длиннее {limit} символов"
    for field in ("inn", "kpp", "ogrn"):
        values[field] = _digits(raw.get(field))
    status = str(raw.get("status") or "active").strip()
    if status not in CLIENT_STATUSES:
        errors["status"] = "Неизвестный статус клиента"
    values["status"] = status
    values["tags"] = parse_tags(raw.get("tags"))
    _clean_points(raw, errors, values)
    if not values["full_name"]:
        errors.setdefault("full_name", "Укажите ФИО" if kind == _PERSON
                          else "Укажите полное наименование")
    if kind == _PERSON:
        clean_identity(raw, values, errors, utcnow().date())
        if not values.get("phone") and not values.get("email") and "phones" not in errors \
                and not has_identity(values, raw):
            errors.setdefault("phones", PERSON_IDENTITY_MISSING)
    if "kind" not in errors:
        _KIND_RULES[kind](values, errors)
    return values, errors


def clean_contact(raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Normalise and check a contact person: name required, phones and e-mails valid."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "full_name": _text(raw.get("full_name")),
        "position": _text(raw.get("position")),
        "is_decision_maker": str(raw.get("is_decision_maker") or "").lower()
        in {"1", "true", "on", "yes", "да"},
    }
    if not values["full_name"]:
        errors["full_name"] = "Укажите ФИО контакта"
    elif len(values["full_name"]) > 300:
        errors["full_name"] = "ФИО контакта: не длиннее 300 символов"
    if values["position"] and len(values["position"]) > 200:
        errors["position"] = "Должность: не длиннее 200 символов"
    _clean_points(raw, errors, values)
    clean_identity(raw, values, errors, utcnow().date())
    values["address"] = _text(raw.get("address"))
    if values["address"] and len(values["address"]) > 2000:
        errors["address"] = "Адрес: не длиннее 2000 символов"
    return values, errors

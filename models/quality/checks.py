"""Evaluating rules on one record: the problems (rule, field, Russian message) and a completeness score.

Client rules apply to clients of the rule's kind (or every kind). Deal rules with a stage
apply when the deal is at or past that stage (and guard entering it: ``stage_gate``); deal
rules without a stage apply to every open deal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from models.clients.cards import Client, ClientKind
from models.clients.requisites import inn_error, kpp_error
from models.quality.rules import QualityRule, active_rules
from models.sales.deals import Deal

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?\d{10,15}$")


@dataclass(frozen=True)
class Problem:
    rule_id: int
    field: str
    message: str


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def _format_ok(value: Any, params: dict) -> bool:
    if _empty(value):
        return True  # a missing value is the «required» rule's business
    text = str(value)
    kind = params.get("format")
    if kind == "inn":
        return inn_error(text) is None
    if kind == "kpp":
        return kpp_error(text) is None
    if kind == "email":
        return bool(EMAIL_RE.match(text))
    if kind == "phone":
        return bool(PHONE_RE.match(text))
    if params.get("pattern"):
        return re.fullmatch(params["pattern"], text) is not None
    return True


def _branch_kpp(record: Any, session: Session) -> bool:
    """A branch (its name says «филиал»/«обособленное подразделение») has a КПП of its own, not the head's."""
    name = (record.full_name or "").lower()
    if "филиал" not in name and "обособленное подразделение" not in name:
        return True
    if not record.kpp or not record.inn:
        return False
    from sqlalchemy import select

    head_kpps = set(session.scalars(select(Client.kpp).where(Client.inn == record.inn, Client.id != record.id,
                                                             Client.kpp.is_not(None))))
    return record.kpp not in head_kpps


def _inn_fits_kind(record: Any, session: Session) -> bool:
    if not record.inn:
        return True
    if record.kind in (ClientKind.COMPANY, ClientKind.STATE):
        return len(record.inn) == 10
    return len(record.inn) == 12


CONSISTENCY: dict[str, Callable[[Any, Session], bool]] = {
    "branch_kpp": _branch_kpp,
    "contact_present": lambda r, s: bool(r.all_phones or r.all_emails or getattr(r, "contacts", None)),
    "inn_fits_kind": _inn_fits_kind,
    "has_products": lambda r, s: bool(r.product_lines),
    "client_complete": lambda r, s: not client_problems(s, r.client),
}


def passes(session: Session, rule: QualityRule, record: Any) -> bool:
    if rule.check == "required":
        return not _empty(getattr(record, rule.field, None))
    if rule.check == "format":
        return _format_ok(getattr(record, rule.field, None), rule.params or {})
    check = CONSISTENCY.get((rule.params or {}).get("check", ""))
    return check is None or check(record, session)


def _client_applies(rule: QualityRule, client: Client) -> bool:
    return rule.client_kind is None or rule.client_kind == client.kind


def client_problems(session: Session, client: Client,
                    rules: list[QualityRule] | None = None) -> list[Problem]:
    rules = active_rules(session, "client") if rules is None else rules
    return [Problem(r.id, r.field, r.message) for r in rules
            if _client_applies(r, client) and not passes(session, r, client)]


def _stage_position(deal: Deal, code: str | None) -> int | None:
    stage = deal.funnel.stage(code) if code else None
    return stage.position if stage is not None else None


def deal_problems(session: Session, deal: Deal, rules: list[QualityRule] | None = None, *,
                  entering: str | None = None) -> list[Problem]:
    """Problems of ``deal`` now, or (``entering``) those that forbid it to enter that stage."""
    rules = active_rules(session, "deal") if rules is None else rules
    target = _stage_position(deal, entering) if entering else deal.stage.position
    found = []
    for rule in rules:
        if rule.client_kind and deal.client.kind != rule.client_kind:
            continue
        gate = _stage_position(deal, rule.stage_code)
        if rule.stage_code and (gate is None or target is None or target < gate):
            continue
        if not passes(session, rule, deal):
            found.append(Problem(rule.id, rule.field, rule.message))
    return found


def score(applicable: int, failed: int) -> int:
    """Completeness in per cent: the share of applicable rules a record passes."""
    return 100 if applicable == 0 else round(100 * (applicable - failed) / applicable)


def client_score(session: Session, client: Client, rules: list[QualityRule] | None = None) -> int:
    rules = active_rules(session, "client") if rules is None else rules
    applicable = [r for r in rules if _client_applies(r, client)]
    return score(len(applicable), len(client_problems(session, client, applicable)))

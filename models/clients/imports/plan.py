"""Deciding what happens to each import row: create, update, skip or reject, and why.

Each row is turned into card input through the column mapping, checked by the same rules
as a card typed by hand (``clean_client``), then compared with the base and with earlier
rows of the same file, a chunk at a time with a few ``IN (…)`` lookups:

* *the same client* — same INN and KPP (or the same INN when a KPP is missing); without
  an INN, the same normalised name and a shared phone or e-mail. It is never created
  twice: «create» and «skip-duplicates» skip it, «update» updates it.
* *a likely duplicate* — a shared phone or e-mail or the same normalised name, unless both
  have different INNs (different INNs are different legal entities). «skip-duplicates»
  skips such rows; the other modes create them and say which client they resemble.
  (The fuzzy rapidfuzz comparison runs on cards typed by hand and in the duplicates API;
  on import the name check is exact after normalisation, which keeps imports fast.)
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Connection, Select, String, bindparam, cast, func, select
from sqlalchemy.orm import Session

from models.clients.access import can_assign_owner
from models.clients.cards import CLIENT_KIND_LABELS, CLIENT_STATUSES, Client, ClientKind
from models.clients.duplicates import same_entity_reason
from models.clients.index import ContactPoint
from models.clients.names import search_name, short_form
from models.clients.service import form_values
from models.clients.validation import clean_client, clean_contact
from models.identity.users import User
from models.platform.permissions import can_access

_KIND_WORDS = {
    "юрлицо": "company", "юл": "company", "юр лицо": "company", "юридическое лицо": "company",
    "организация": "company", "company": "company", "legal": "company",
    "ип": "entrepreneur", "индивидуальный предприниматель": "entrepreneur",
    "entrepreneur": "entrepreneur", "физлицо": "person", "фл": "person", "физ лицо": "person",
    "физическое лицо": "person", "person": "person", "individual": "person",
    "госорган": "state", "государственный орган": "state", "гос": "state", "state": "state",
    **{label.lower(): kind.value for kind, label in CLIENT_KIND_LABELS.items()},
}
_STATUS_WORDS = {**{label.lower(): code for code, label in CLIENT_STATUSES.items()},
                 **{code: code for code in CLIENT_STATUSES}}
_CLIENT_KEYS = ("kind", "full_name", "short_name", "inn", "kpp", "ogrn", "legal_address",
                "postal_address", "phones", "emails", "industry", "territory", "segment", "status",
                "source", "notes", "tags", "head_name")


@dataclass
class RowPlan:
    """One data row and the decision about it."""

    row_no: int
    cells: list[str]
    given: dict[str, Any] = field(default_factory=dict)  # mapped, non-empty client fields
    values: dict[str, Any] | None = None  # clean values for a new client
    contact: dict[str, Any] | None = None
    owner_id: int | None = None
    owner_given: bool = False
    outcome: str = ""
    reason: str | None = None
    client_id: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)
    target: Any = None  # the Client written for this row
    added_contact: Any = None
    _name: str | None = None
    _points: list[str] | None = None

    def reject(self, reason: str) -> None:
        self.outcome, self.reason = "rejected", reason

    @property
    def clean(self) -> dict[str, Any]:
        """The clean values of a row that passed the checks (the only rows matched and written)."""
        if self.values is None:
            raise ValueError(f"Строка {self.row_no} не прошла проверку")
        return self.values

    @property
    def search_name(self) -> str:
        if self._name is None:
            values = self.values
            self._name = search_name(values["full_name"], values["short_name"]) if values else ""
        return self._name

    @property
    def points(self) -> list[str]:
        """The row's phones and e-mails (computed once: matching asks for them several times)."""
        if not self.values:
            return []
        if self._points is None:
            v = self.values
            self._points = [p for p in [v["phone"], *(v["extra_phones"] or []), v["email"],
                                        *(v["extra_emails"] or [])] if p]
        return self._points


def _errors_text(errors: dict[str, str]) -> str:
    """The card messages of a row in one line (each already names its field)."""
    return "; ".join(dict.fromkeys(errors.values()))


def row_fields(mapping: dict[int, str], cells: list[str]) -> dict[str, str]:
    """Mapped cells of a row as import fields; several phone/e-mail columns are joined."""
    result: dict[str, str] = {}
    for index, name in mapping.items():
        value = cells[index].strip() if index < len(cells) else ""
        if not value:
            continue
        if name in result and name.endswith(("phones", "emails")):
            result[name] += "\n" + value
        else:
            result.setdefault(name, value)
    return result


def _kind(given: dict[str, Any]) -> str:
    word = " ".join(str(given.get("kind", "")).lower().replace(".", " ").split())
    if word:
        return _KIND_WORDS.get(word, word)
    inn = "".join(str(given.get("inn") or "").split())
    if len(inn) == 12:
        return ClientKind.ENTREPRENEUR.value if given.get("ogrn") else ClientKind.PERSON.value
    return ClientKind.COMPANY.value if inn else ClientKind.PERSON.value


class OwnerLookup:
    """Finds the owner named in a row by login or full name (case-insensitive)."""

    def __init__(self, session: Session) -> None:
        users = session.scalars(select(User).where(User.is_active.is_(True))).all()
        self.by_key = {u.login.lower(): u for u in users} | {u.full_name.lower(): u for u in users}

    def find(self, text: str) -> User | None:
        """The employee whose login or full name is ``text``, or None."""
        return self.by_key.get(" ".join(text.lower().split()))


def prepare_row(plan: RowPlan, mapping: dict[int, str], owners: OwnerLookup,
                actor: User | None) -> None:
    """Fill ``plan.given``/``values``/``contact``/``owner_id`` or reject the row with the reasons."""
    fields = row_fields(mapping, plan.cells)
    if "status" in fields:
        fields["status"] = _STATUS_WORDS.get(fields["status"].strip().lower(), fields["status"])
    plan.given = {k: v for k, v in fields.items() if k in _CLIENT_KEYS}
    if not plan.given and not fields:
        plan.reject("Пустая строка")
        return
    raw = dict(plan.given)
    raw["kind"] = _kind(plan.given)
    if raw["kind"] == ClientKind.COMPANY and not raw.get("short_name") and raw.get("full_name"):
        raw["short_name"] = short_form(raw["full_name"])[:300]
    values, errors = clean_client(raw)
    if fields.get("owner"):
        owner = owners.find(fields["owner"])
        if owner is None:
            errors["owner_id"] = f"Ответственный «{fields['owner']}» не найден"
        elif actor is not None and not can_assign_owner(actor, owner):
            errors["owner_id"] = f"Вы не можете назначить ответственным «{fields['owner']}»"
        else:
            plan.owner_id, plan.owner_given = owner.id, True
    elif actor is not None:
        plan.owner_id = actor.id
    if fields.get("contact_name") or fields.get("contact_phones") or fields.get("contact_emails"):
        contact, contact_errors = clean_contact({
            "full_name": fields.get("contact_name"), "position": fields.get("contact_position"),
            "phones": fields.get("contact_phones"), "emails": fields.get("contact_emails")})
        errors.update({f"contact_{k}": f"контакт: {m}" for k, m in contact_errors.items()})
        plan.contact = contact
    if errors:
        plan.reject(_errors_text(errors))
        return
    plan.values = values


def plan_update(plan: RowPlan, client: Client) -> None:
    """Work out the changes an «update» row makes to ``client`` (only the fields it fills)."""
    merged = form_values(client)
    for key, value in plan.given.items():
        if key == "phones":
            merged["phones"] = merged["phones"] + "\n" + value
        elif key == "emails":
            merged["emails"] = merged["emails"] + "\n" + value
        elif key == "tags":
            merged["tags"] = merged["tags"] + "," + value
        else:
            merged[key] = value
    values, errors = clean_client(merged)
    if errors:
        plan.reject(_errors_text(errors))
        return
    plan.changes = {k: v for k, v in values.items() if getattr(client, k) != v}
    if plan.owner_given and plan.owner_id != client.owner_id:
        plan.changes["owner_id"] = plan.owner_id
    plan.before = {k: getattr(client, k) for k in plan.changes}
    if plan.contact and any(c.search_name == search_name(plan.contact["full_name"]) for c in client.contacts):
        plan.contact = None
    if plan.changes or plan.contact:
        plan.outcome, plan.client_id = "updated", client.id
    else:
        plan.outcome, plan.client_id, plan.reason = "skipped", client.id, "Без изменений"


LOOKUP_BATCH = 500


def _batches(values: list[str]) -> list[list[str]]:
    return [values[i:i + LOOKUP_BATCH] for i in range(0, len(values), LOOKUP_BATCH)]


def _matching(conn: Connection, key: Any, columns: tuple[Any, ...], keys: list[str],
              join: tuple[Any, Any] | None = None) -> Select:
    """``SELECT key, *columns`` of the rows of ``key``'s table whose ``key`` is one of ``keys``.

    On PostgreSQL the keys are one JSON array parameter unfolded into a join, planned as one
    B-tree probe per key: a long ``IN (…)`` list costs a bind parameter per key and may be
    planned as a bitmap scan of the trigram GIN index (pg_trgm also serves equality), which
    takes seconds on a million names. JSON rather than an array parameter: psycopg quotes an
    array's elements one by one in Python (about a second of an import's 100,000 rows), where
    ``json.dumps`` writes the list in one C call. On SQLite an ``IN (…)`` list is already a
    probe per key.
    """
    stmt = select(key, *columns)
    if conn.dialect.name == "postgresql":
        listed = cast(bindparam("keys", json.dumps(keys, ensure_ascii=False), type_=String), JSON)
        wanted = func.json_array_elements_text(listed).table_valued("key").render_derived(name="wanted")
        stmt = stmt.select_from(wanted).join(key.table, key == wanted.c.key)
    else:
        stmt = stmt.select_from(key.table).where(key.in_(keys))
    return stmt.join(*join) if join is not None else stmt


class Matcher:
    """Finds the same client and likely duplicates in the base and among earlier rows of the file."""

    def __init__(self, session: Session, mode: str, actor: User | None, batch_id: int | None = None) -> None:
        self.session, self.mode, self.actor = session, mode, actor
        self.batch_id = batch_id  # the import's own clients are matched as earlier rows, not as the base
        self.file_inn: dict[str, list[tuple[str | None, int]]] = defaultdict(list)
        self.file_points: dict[str, tuple[int, str | None]] = {}
        self.file_names: dict[str, tuple[int, str | None]] = {}
        self.file_people: dict[tuple[str, str], int] = {}

    def _lookup(self, plans: list[RowPlan]) -> tuple[dict, dict, dict]:
        """Existing clients sharing an INN, a phone/e-mail or a name with the chunk's rows.

        Keys go to the database ``LOOKUP_BATCH`` at a time: longer lists make PostgreSQL
        trade its index probes for a scan of the whole table. Clients this import created
        are left out: their rows are in the file index already (``_remember``), and whether
        the database shows them yet depends on chunk boundaries and, when chunks are
        written while the next ones are matched, on timing — a row's outcome must not.
        """
        inns = sorted({p.clean["inn"] for p in plans if p.clean["inn"]})
        points = sorted({v for p in plans for v in p.points})
        names = sorted({p.search_name for p in plans if p.search_name})
        own = self.batch_id
        by_inn: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
        by_point: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
        by_name: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
        batch_of = Client.import_batch_id
        # Core, not ``Session.execute``: columns only, so the ORM's compile step would add nothing.
        conn = self.session.connection()
        for batch in _batches(inns):
            for inn, cid, kpp, of in conn.execute(
                    _matching(conn, Client.inn, (Client.id, Client.kpp, batch_of), batch)):
                if own is None or of != own:
                    by_inn[inn].append((cid, kpp))
        for batch in _batches(points):
            for value, cid, inn, of in conn.execute(
                    _matching(conn, ContactPoint.value, (Client.id, Client.inn, batch_of), batch,
                              (Client, Client.id == ContactPoint.client_id))):
                if own is None or of != own:
                    by_point[value].append((cid, inn))
        for batch in _batches(names):
            for name, cid, inn, of in conn.execute(
                    _matching(conn, Client.search_name, (Client.id, Client.inn, batch_of), batch)):
                if own is None or of != own:
                    by_name[name].append((cid, inn))
        return by_inn, by_point, by_name

    def decide(self, plans: list[RowPlan]) -> None:
        """Set the outcome of every valid plan of a chunk, in file order."""
        valid = [p for p in plans if p.values is not None and not p.outcome]
        if not valid:
            return
        by_inn, by_point, by_name = self._lookup(valid)
        targets = {cid for p in valid for cid, _ in by_inn.get(p.clean["inn"] or "", [])}
        clients = {c.id: c for c in self.session.scalars(select(Client).where(Client.id.in_(targets)))} \
            if self.mode == "update" and targets else {}
        for plan in valid:
            self._decide_one(plan, by_inn, by_point, by_name, clients)
            if plan.outcome == "created":
                self._remember(plan)

    def _similar(self, plan: RowPlan, by_point: dict, by_name: dict) -> list[str]:
        inn = plan.clean["inn"]
        reasons = []
        for value in plan.points:
            for cid, other_inn in by_point.get(value, []):
                if not (inn and other_inn and inn != other_inn):
                    reasons.append(f"#{cid}: совпадает {'e-mail' if '@' in value else 'телефон'} {value}")
            row, other_inn = self.file_points.get(value, (None, None))
            if row and not (inn and other_inn and inn != other_inn):
                reasons.append(f"строка {row}: совпадает {'e-mail' if '@' in value else 'телефон'} {value}")
        for cid, other_inn in by_name.get(plan.search_name, []):
            if not (inn and other_inn and inn != other_inn):
                reasons.append(f"#{cid}: то же наименование")
        row, other_inn = self.file_names.get(plan.search_name, (None, None))
        if row and not (inn and other_inn and inn != other_inn):
            reasons.append(f"строка {row}: то же наименование")
        return list(dict.fromkeys(reasons))

    def _decide_one(self, plan: RowPlan, by_inn: dict, by_point: dict, by_name: dict,
                    clients: dict[int, Client]) -> None:
        inn, kpp = plan.clean["inn"], plan.clean["kpp"]
        same = [cid for cid, other_kpp in by_inn.get(inn or "", [])
                if same_entity_reason(inn, kpp, inn, other_kpp)]
        earlier = [row for other_kpp, row in self.file_inn.get(inn or "", [])
                   if same_entity_reason(inn, kpp, inn, other_kpp)]
        reasons = self._similar(plan, by_point, by_name)
        if not inn:  # without an INN: the same name and a shared phone/e-mail is the same client
            named = {cid for cid, _ in by_name.get(plan.search_name, [])}
            reachable = {cid for v in plan.points for cid, _ in by_point.get(v, [])}
            same = sorted(named & reachable)
            earlier = [self.file_people[(plan.search_name, v)] for v in plan.points
                       if (plan.search_name, v) in self.file_people]
        if same and self.mode == "update":
            self._update_target(plan, same, clients)
        elif same:
            plan.outcome, plan.client_id = "skipped", same[0]
            plan.reason = "Уже есть в базе: " + ", ".join(f"#{cid}" for cid in same)
        elif earlier:
            plan.outcome, plan.reason = "skipped", f"Повторяет строку {earlier[0]}"
        elif reasons and self.mode == "skip-duplicates":
            plan.outcome, plan.reason = "skipped", "Возможный дубликат — " + "; ".join(reasons)
        else:
            plan.outcome = "created"
            plan.reason = ("Возможный дубликат — " + "; ".join(reasons)) if reasons else None

    def _update_target(self, plan: RowPlan, same: list[int], clients: dict[int, Client]) -> None:
        if len(same) > 1:
            plan.reject("ИНН соответствует нескольким клиентам (" + ", ".join(f"#{c}" for c in same)
                        + "): укажите КПП")
            return
        client = clients.get(same[0]) or self.session.get_one(Client, same[0])  # just found
        if self.actor is not None and not can_access(self.actor, client, "edit"):
            plan.reject(f"Нет прав на изменение клиента #{client.id}")
            return
        plan_update(plan, client)

    def _remember(self, plan: RowPlan) -> None:
        inn = plan.clean["inn"]
        if inn:
            self.file_inn[inn].append((plan.clean["kpp"], plan.row_no))
        for value in plan.points:
            self.file_points.setdefault(value, (plan.row_no, inn))
            if not inn:
                self.file_people.setdefault((plan.search_name, value), plan.row_no)
        if plan.search_name:
            self.file_names.setdefault(plan.search_name, (plan.row_no, inn))

"""Counterparties both ways, by INN/KPP, with a conflict report instead of silent overwrites.

For each synchronised field (``tables.FIELDS``: short and full name, KPP) three values are
compared: the CRM card's, the 1С counterparty's, and the base — what both had at the last
agreement. Equal: nothing to do. Only the CRM differs from the base: the CRM changed it, 1С
is updated (PATCH). Only 1С differs: 1С changed it, the card is updated (through the clients
service, checked like a form). Both differ from the base (or, at the first meeting, both
are filled and differ): a **conflict** — recorded in ``onec_conflict`` with the three values,
and nothing of that counterparty is written on either side until someone picks a side
(which only moves the base, so the next run writes the chosen value through the same rules).
A client with an INN that 1С does not know is created there.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.onec.odata import OneC, OneCError
from integrations.onec.tables import FIELDS, OnecConflict, OnecCounterparty
from models.clients.cards import Client
from models.clients.service import ClientInvalid, update_client
from models.identity.users import User
from models.platform.roles import Role


def sync_actor(session: Session) -> User | None:
    """Changes pulled from 1С are made on behalf of the first active administrator."""
    return session.scalar(
        select(User).where(User.role == Role.ADMIN.value, User.is_active).order_by(User.id).limit(1)
    )


def _crm_values(client: Client) -> dict[str, str]:
    return {f: str(getattr(client, f) or "") for f in FIELDS}


def _onec_values(remote: dict) -> dict[str, str]:
    return {f: str(remote.get(key) or "") for f, key in FIELDS.items()}


def _report(
    session: Session, client: Client, conflicts: list[tuple[str, str | None, str, str]], now: datetime
) -> None:
    for field, base, crm, onec in conflicts:
        known = session.scalar(
            select(OnecConflict.id).where(
                OnecConflict.client_id == client.id,
                OnecConflict.field == field,
                OnecConflict.resolved_at.is_(None),
                OnecConflict.crm_value == crm,
                OnecConflict.onec_value == onec,
            )
        )
        if known is None:
            session.add(
                OnecConflict(
                    client_id=client.id,
                    field=field,
                    base_value=base,
                    crm_value=crm,
                    onec_value=onec,
                    detected_at=now,
                )
            )


def compare(
    crm: dict[str, str], theirs: dict[str, str], base: dict[str, str]
) -> tuple[dict[str, str], dict[str, str], list[tuple[str, str | None, str, str]]]:
    """(what to write to 1С, what to write to the card, conflicts) for one counterparty's fields."""
    push: dict[str, str] = {}
    pull: dict[str, str] = {}
    conflicts = []
    for field in FIELDS:
        ours, other = crm[field], theirs[field]
        if ours == other:
            continue
        if field in base and ours == base[field]:
            pull[field] = other
        elif field in base and other == base[field]:
            push[field] = ours
        elif field not in base and not ours:
            pull[field] = other
        elif field not in base and not other:
            push[field] = ours
        else:
            conflicts.append((field, base.get(field), ours, other))
    return push, pull, conflicts


def sync_client(session: Session, onec: OneC, client: Client, now: datetime) -> str:
    """Bring one client and its counterparty together; returns what happened (created, pushed, pulled,
    both, same, conflict). Raises ``OneCError`` (1С failed) or ``ClientInvalid`` (1С's values do not
    fit a card), leaving the session for the caller to roll back."""
    if not client.inn:
        return "same"
    link = session.get(OnecCounterparty, client.id)
    crm = _crm_values(client)
    if link is None:
        remote = onec.find_counterparty(client.inn, client.kpp)
        if remote is None:
            created = onec.create_counterparty(
                {
                    "Description": crm["short_name"] or client.full_name,
                    "НаименованиеПолное": crm["full_name"],
                    "ИНН": client.inn,
                    "КПП": crm["kpp"],
                }
            )
            if not created.get("Ref_Key"):
                raise OneCError("1С не вернула Ref_Key созданного контрагента")
            session.add(
                OnecCounterparty(
                    client_id=client.id,
                    ref_key=str(created["Ref_Key"]),
                    base=crm,
                    data_version=created.get("DataVersion"),
                    synced_at=now,
                )
            )
            return "created"
        link = OnecCounterparty(client_id=client.id, ref_key=str(remote["Ref_Key"]), base={}, synced_at=now)
        session.add(link)
    else:
        remote = onec.counterparty(link.ref_key)
        if remote is None:
            raise OneCError(f"Контрагент {link.ref_key} удалён в 1С", retryable=False)
    push, pull, conflicts = compare(crm, _onec_values(remote), dict(link.base or {}))
    if conflicts:
        _report(session, client, conflicts, now)
        return "conflict"
    if push:
        onec.update_counterparty(link.ref_key, {FIELDS[f]: v for f, v in push.items()})
    if pull:
        actor = sync_actor(session)
        if actor is None:
            raise ClientInvalid({"_form": "Нет активного администратора для изменений из 1С"})
        update_client(session, actor, client, pull, partial=True)
    link.base = {**crm, **pull}
    link.data_version, link.synced_at = remote.get("DataVersion"), now
    return {(True, True): "both", (True, False): "pushed", (False, True): "pulled"}.get(
        (bool(push), bool(pull)), "same"
    )


def resolve(session: Session, conflict: OnecConflict, side: str, user: User, now: datetime) -> None:
    """Pick a side: the base moves so that the next run writes the chosen value to the other side."""
    link = session.get(OnecCounterparty, conflict.client_id)
    if link is not None:
        base = dict(link.base or {})
        base[conflict.field] = conflict.onec_value if side == "crm" else conflict.crm_value
        link.base = base
    conflict.resolution, conflict.resolved_at, conflict.resolved_by_id = side, now, user.id

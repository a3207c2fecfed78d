"""What the contract pages and the API read, one call per page.

``contract_card`` (a contract with its payments, renewal chain, renewal, deal and risk),
``renewals_page`` (the «На продление» board and the churn figures), ``contract_list`` (the API's
list) and the risk settings page, each applying the contract rules of ``access``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models.contracts.access import get_contract
from models.contracts.contracts import Contract, ContractPayment, chain
from models.contracts.dashboard import Board, BoardFilter, ChurnReport, churn_report, renewal_board
from models.contracts.renewals import ContractRenewal, ContractRisk
from models.contracts.risk import DEFAULTS, SETTING_LABELS, save_settings, settings
from models.identity.users import User
from models.platform.permissions import AccessDenied, Permission, can_access, has_permission, scoped
from models.platform.roles import Role

SETTINGS_EDITORS = frozenset({Role.HEAD, Role.ADMIN})


@dataclass(frozen=True)
class ContractCard:
    contract: Contract
    today: date
    payments: list[tuple[ContractPayment, str]]
    chain: list[Contract]
    renewal: ContractRenewal | None
    risk: ContractRisk | None
    may_edit: bool


def contract_card(session: Session, user: User, contract_id: int, today: date) -> ContractCard:
    contract = get_contract(session, user, contract_id)
    renewal = session.scalar(select(ContractRenewal).where(ContractRenewal.contract_id == contract.id))
    return ContractCard(
        contract,
        today,
        [(p, p.state(today)) for p in contract.payments],
        chain(session, contract),
        renewal,
        session.get(ContractRisk, contract.id),
        can_access(user, contract, "edit"),
    )


@dataclass(frozen=True)
class RenewalsPage:
    board: Board
    churn: ChurnReport


def renewals_page(session: Session, user: User, now: datetime, flt: BoardFilter, kind: str) -> RenewalsPage:
    """«На продление» for ``user``: the board filtered by ``flt`` and the churn figures by ``kind``."""
    if not has_permission(user, Permission.USE_CRM):
        raise AccessDenied()
    return RenewalsPage(renewal_board(session, user, now.date(), flt), churn_report(session, user, now, kind))


def contract_list(
    session: Session,
    user: User,
    today: date,
    *,
    client_id: int | None = None,
    product: str | None = None,
    status: str | None = None,
    ending_within: int | None = None,
    after: tuple[date, int] | None = None,
    limit: int = 200,
) -> list[Contract]:
    """Contracts ``user`` may see, by end date then id, ``limit`` of them after ``after`` (the
    ``(ends_on, id)`` of the previous page's last row): a keyset page, so a far page does not read and
    drop every earlier row (a manager's range is ``ix_contract_owner``, a status's ``ix_contract_due``)."""
    stmt = scoped(user, Contract).order_by(Contract.ends_on, Contract.id)
    if client_id:
        stmt = stmt.where(Contract.client_id == client_id)
    if product:
        stmt = stmt.where(Contract.product == product)
    if status:
        stmt = stmt.where(Contract.status == status)
    if ending_within is not None:
        stmt = stmt.where(
            Contract.ends_on >= today, Contract.ends_on <= today + timedelta(days=ending_within)
        )
    if after is not None:
        ends_on, last_id = after
        stmt = stmt.where(or_(Contract.ends_on > ends_on,
                              and_(Contract.ends_on == ends_on, Contract.id > last_id)))
    return list(session.scalars(stmt.limit(min(max(limit, 1), 1000))))


@dataclass(frozen=True)
class RiskSettingsPage:
    values: dict[str, int]
    defaults: dict[str, int]
    labels: dict[str, str]
    may_edit: bool


def risk_settings_page(session: Session, user: User) -> RiskSettingsPage:
    if not has_permission(user, Permission.VIEW_REPORTS):
        raise AccessDenied()
    return RiskSettingsPage(settings(session), DEFAULTS, SETTING_LABELS, Role(user.role) in SETTINGS_EDITORS)


def change_risk_settings(session: Session, user: User, values: dict[str, object]) -> dict[str, int]:
    """Head and admin change the churn thresholds (``RiskSettingsError`` for bad values)."""
    if Role(user.role) not in SETTINGS_EDITORS:
        raise AccessDenied("Пороги риска меняют руководитель и администратор")
    return save_settings(session, values)

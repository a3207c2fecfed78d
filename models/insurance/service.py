"""What other packages and the web call in ``insurance``: the client's history, loss ratio, imports.

Read side for other packages (discount sign-off today, renewals next): ``client_context``
(premiums and losses by product and year, loss ratio, premium in force, cross-sell,
branches) and ``loss_ratio`` (one figure per client and product) from
``models.insurance.analytics``. Pages: ``client_page`` (a client's policies and claims, with
the client rules applied) and the import functions, which check that the user imports data
(back office, admin). Nothing here commits: the caller's unit of work does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.clients.cards import Client
from models.identity.users import User
from models.insurance.access import get_import, visible_client
from models.insurance.analytics import InsuranceContext, client_context, loss_ratio
from models.insurance.imports import InsuranceImport, InsuranceImportRow, report_csv, rows_of, run_import
from models.insurance.policies import Claim, Policy
from models.platform.permissions import Permission, require, scoped

__all__ = [
    "ClientInsurance",
    "ImportPage",
    "InsuranceContext",
    "client_context",
    "client_page",
    "import_file",
    "import_page",
    "import_report",
    "loss_ratio",
    "recent_imports",
]


@dataclass(frozen=True)
class ClientInsurance:
    """A client's insurance page: the figures, every policy (newest first) and every claim."""

    client: Client
    context: InsuranceContext
    policies: list[Policy]
    claims: list[Claim]
    today: date


def client_page(session: Session, user: User, client_id: int, today: date) -> ClientInsurance:
    """The insurance history of a client ``user`` may see (``NotFound`` / ``AccessDenied``)."""
    client = visible_client(session, user, client_id)
    policies = session.scalars(
        select(Policy)
        .where(Policy.client_id == client.id)
        .order_by(Policy.starts_on.desc(), Policy.id.desc())
    )
    claims = session.scalars(
        select(Claim).where(Claim.client_id == client.id).order_by(Claim.occurred_on.desc(), Claim.id.desc())
    )
    return ClientInsurance(
        client, client_context(session, client, today), list(policies), list(claims), today
    )


@dataclass(frozen=True)
class ImportPage:
    batch: InsuranceImport
    rejected: list[InsuranceImportRow]
    updated: list[InsuranceImportRow]


def import_file(
    session: Session, user: User, kind: str, data: bytes, file_name: str, *, dry_run: bool, now: datetime
) -> InsuranceImport:
    """Import policies or claims (``ImportFileError`` for an unreadable file; bad rows are rejected)."""
    require(user, Permission.IMPORT_CLIENTS)
    return run_import(session, kind, data, file_name, user_id=user.id, dry_run=dry_run, now=now)


def recent_imports(session: Session, user: User, limit: int = 20) -> list[InsuranceImport]:
    require(user, Permission.IMPORT_CLIENTS)
    return list(
        session.scalars(scoped(user, InsuranceImport).order_by(InsuranceImport.id.desc()).limit(limit))
    )


def import_page(session: Session, user: User, batch_id: int, shown: int = 200) -> ImportPage:
    batch = get_import(session, user, batch_id)
    return ImportPage(
        batch,
        rows_of(session, batch, ("rejected",), shown),
        rows_of(session, batch, ("updated", "skipped"), shown),
    )


def import_report(session: Session, user: User, batch_id: int) -> bytes:
    """Rejected and unchanged rows with the reason for each, as CSV."""
    return report_csv(session, get_import(session, user, batch_id))

"""Service-task operations on the client base used by data-quality processes."""

from __future__ import annotations

from engine.errors import OperationError
from engine.operations import OperationContext
from models.clients.cards import Client, ClientKind
from models.clients.requisites import inn_error, kpp_error, ogrn_error, ogrnip_error
from models.platform.registry import Registry


def requisite_problems(client: Client) -> list[str]:
    """Russian descriptions of what is wrong with a client's requisites (empty when fine)."""
    problems: list[str] = []
    kind = client.kind
    if kind in (ClientKind.COMPANY, ClientKind.STATE, ClientKind.ENTREPRENEUR):
        length = 12 if kind == ClientKind.ENTREPRENEUR else 10
        error = inn_error(client.inn or "", length=length)
        if error:
            problems.append(error)
    if kind == ClientKind.COMPANY:
        for error in (kpp_error(client.kpp or ""), ogrn_error(client.ogrn or "")):
            if error:
                problems.append(error)
    if kind == ClientKind.ENTREPRENEUR and client.ogrn:
        error = ogrnip_error(client.ogrn)
        if error:
            problems.append(error)
    if kind == ClientKind.PERSON and not (client.phone or client.email):
        problems.append("У физлица не указан ни телефон, ни e-mail")
    return problems


def check_requisites(context: OperationContext, client_id: int) -> dict:
    """Check a client's INN/KPP/OGRN offline; the process routes on ``ok``."""
    client = context.session.get(Client, client_id)
    if client is None:
        raise OperationError(f"Клиент {client_id} не найден")
    problems = requisite_problems(client)
    return {"ok": not problems, "problems": problems, "client_name": client.display_name}


def register(registry: Registry) -> None:
    """The service-task operations of this module."""
    registry.operation("clients.check_requisites", check_requisites)

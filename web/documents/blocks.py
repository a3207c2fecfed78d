"""Blocks other pages include: documents on the deal and client cards, «Мои согласования» in the inbox."""

from __future__ import annotations

from flask_login import current_user

from models.documents.details import details_of
from models.documents.kinds import KINDS, STATUS_LABELS
from models.documents.pages import deal_documents
from models.documents.signoff import my_approvals
from models.platform.db import db


def _deal_block(deal_id: int):
    return deal_documents(db.session, current_user, deal_id=deal_id)


def _client_block(client_id: int):
    return deal_documents(db.session, current_user, client_id=client_id)


def _client_details(client_id: int):
    return details_of(db.session, client_id)


def _my_approvals():
    return my_approvals(db.session, current_user) if current_user.is_authenticated else []


def processors() -> dict:
    return {
        "deal_documents": _deal_block,
        "client_documents": _client_block,
        "client_document_details": _client_details,
        "my_document_approvals": _my_approvals,
        "document_kinds": KINDS,
        "document_statuses": STATUS_LABELS,
    }

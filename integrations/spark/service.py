"""What the web layer calls for SPARK: ask for a check of a client the user may view."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from integrations.spark.checks import SparkCheck, request_check
from integrations.spark.client import SparkError
from models.clients.access import get_client
from models.identity.users import User

__all__ = ["SparkError", "ask_spark"]


def ask_spark(session: Session, user: User, client_id: int, now: datetime) -> SparkCheck:
    return request_check(session, get_client(session, user, client_id), user.id, now)

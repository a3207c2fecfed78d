"""Outside channels a notification may also take (e-mail today; a messenger later).

Every notification is shown in the app; a channel is a further copy that leaves through the
outbox after the transaction commits. A channel says where a user is reached (their
e-mail address; later a messenger chat id) and what the outbox row carries; delivering that
row is an integration's outbox handler (``integrations/mail`` for ``email``). Adding
Telegram therefore means one more ``Channel`` here plus an outbox handler in
``integrations/telegram`` — no caller of ``notify`` changes, and the preferences page grows a
column by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from models.identity.users import User
from models.notifications.messengers import telegram_chat

SIGNATURE = "\n\n— CRM"


@dataclass(frozen=True)
class Channel:
    """How notifications reach a user outside the app."""

    code: str  # the preference key and the form field name
    label: str  # the column on the preferences page
    outbox_kind: str  # the outbox handler that delivers the row
    address: Callable[[User], str | None]  # None: the user cannot be reached this way
    payload: Callable[[str, str, str, User], dict]  # (address, title, body, user) -> outbox payload


def _email_payload(address: str, title: str, body: str, user: User) -> dict:
    return {"to": address, "subject": title, "body": body + SIGNATURE, "user_id": user.id}


EMAIL = Channel(
    code="email",
    label="E-mail",
    outbox_kind="email",
    address=lambda user: user.email or None,
    payload=_email_payload,
)

def _telegram_payload(address: str, title: str, body: str, user: User) -> dict:
    return {"chat_id": int(address), "text": f"{title}\n\n{body}"[:4000], "user_id": user.id}


TELEGRAM = Channel(
    code="telegram",
    label="Telegram",
    outbox_kind="telegram.send",  # delivered by integrations/telegram
    address=telegram_chat,
    payload=_telegram_payload,
)

CHANNELS: tuple[Channel, ...] = (EMAIL, TELEGRAM)
CHANNEL_CODES = frozenset(channel.code for channel in CHANNELS)

"""IMAP mailboxes: the reader the fetch job uses, configured by ``CRM_IMAP_URLS``.

``imap://user:password@host:143/INBOX`` (plain, or STARTTLS with ``imap+starttls://``) or
``imaps://…:993/INBOX``; several comma-separated. The reader logs in with a timeout, selects
the folder read-only (nothing is flagged or moved on the server), reads ``UIDVALIDITY`` and
fetches the messages with UIDs above the last one imported, ``BODY.PEEK[]`` so they stay
unread for people. Failures are ``MailboxError`` (retryable unless the login was refused).
"""

from __future__ import annotations

import contextlib
import imaplib
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

DEFAULT_TIMEOUT = 20.0
BATCH = 50


class MailboxError(Exception):
    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


@dataclass(frozen=True)
class MailboxUrl:
    scheme: str
    host: str
    port: int
    user: str
    password: str
    folder: str

    @property
    def key(self) -> str:
        """How the mailbox is named in our tables (no password)."""
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"[:300]

    @classmethod
    def parse(cls, url: str) -> MailboxUrl:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("imap", "imaps", "imap+starttls") or not parts.hostname or not parts.username:
            raise MailboxError("Адрес ящика: imap(s)://логин:пароль@сервер:порт/папка", retryable=False)
        port = parts.port or (993 if parts.scheme == "imaps" else 143)
        folder = unquote(parts.path.lstrip("/")) or "INBOX"
        return cls(
            parts.scheme, parts.hostname, port, unquote(parts.username), unquote(parts.password or ""), folder
        )


def mailbox_urls(settings: Any) -> list[MailboxUrl]:
    return [MailboxUrl.parse(u) for u in (getattr(settings, "imap_urls", "") or "").split(",") if u.strip()]


class MailboxReader(Protocol):
    def fetch(self, after_uid: int) -> tuple[int, Iterator[tuple[int, bytes]]]:
        """(UIDVALIDITY, the messages with UID > ``after_uid`` as (uid, raw RFC 822 bytes))."""

    def check(self) -> str: ...

    def close(self) -> None: ...


class ImapReader:
    """The real reader (the standard library's imaplib)."""

    def __init__(self, url: MailboxUrl, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url, self.timeout = url, timeout
        self.conn: imaplib.IMAP4 | None = None

    def _connect(self) -> imaplib.IMAP4:
        u = self.url
        try:
            if u.scheme == "imaps":
                conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    u.host, u.port, timeout=self.timeout, ssl_context=ssl.create_default_context()
                )
            else:
                conn = imaplib.IMAP4(u.host, u.port, timeout=self.timeout)
                if u.scheme == "imap+starttls":
                    conn.starttls(ssl.create_default_context())
        except TimeoutError:
            raise MailboxError(f"Почтовый сервер {u.host} не ответил за {self.timeout:g} с") from None
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"Почтовый сервер {u.host} недоступен ({type(exc).__name__})") from None
        try:
            conn.login(u.user, u.password)
        except imaplib.IMAP4.error:
            conn.shutdown()
            raise MailboxError(
                f"Сервер {u.host} не принял логин или пароль ящика {u.user}", retryable=False
            ) from None
        self.conn = conn
        return conn

    def _select(self) -> tuple[imaplib.IMAP4, int]:
        conn = self.conn or self._connect()
        status, _ = conn.select(_quoted(self.url.folder), readonly=True)
        if status != "OK":
            raise MailboxError(f"Папки «{self.url.folder}» нет в ящике {self.url.user}", retryable=False)
        validity = conn.response("UIDVALIDITY")[1]
        try:
            return conn, int(validity[0])
        except (TypeError, ValueError, IndexError):
            raise MailboxError("Сервер не сообщил UIDVALIDITY папки") from None

    def fetch(self, after_uid: int) -> tuple[int, Iterator[tuple[int, bytes]]]:
        try:
            conn, validity = self._select()
            status, data = conn.uid("SEARCH", None, f"UID {after_uid + 1}:*")
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"Ошибка чтения ящика: {exc}") from None
        if status != "OK":
            raise MailboxError("Сервер отказал в поиске писем")
        # «n:*» always includes the highest UID even when it is ≤ n: filter.
        uids = sorted(u for u in (int(x) for x in (data[0] or b"").split()) if u > after_uid)
        return validity, self._messages(conn, uids)

    def _messages(self, conn: imaplib.IMAP4, uids: list[int]) -> Iterator[tuple[int, bytes]]:
        for uid in uids:
            try:
                status, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
            except (OSError, imaplib.IMAP4.error) as exc:
                raise MailboxError(f"Ошибка чтения письма {uid}: {exc}") from None
            raw = next((part[1] for part in data if isinstance(part, tuple)), None)
            if status == "OK" and raw:
                yield uid, raw

    def check(self) -> str:
        conn, validity = self._select()
        status, data = conn.uid("SEARCH", None, "ALL")
        count = len((data[0] or b"").split()) if status == "OK" else 0
        return f"Ящик {self.url.user}: писем в «{self.url.folder}» {count}, UIDVALIDITY {validity}"

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                self.conn.logout()
            self.conn = None


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def reader_for(url: MailboxUrl, settings: Any) -> MailboxReader:
    timeout = float((getattr(settings, "extra", None) or {}).get("CRM_IMAP_TIMEOUT", DEFAULT_TIMEOUT))
    return ImapReader(url, timeout=timeout)

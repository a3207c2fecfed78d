"""SSRF guard: a webhook goes only to a public http(s) address unless an admin allowed internal ones.

The host is resolved at subscription time and again right before each attempt (DNS may
change), and every address it resolves to must be public: loopback, private (RFC 1918,
fc00::/7), link-local (cloud metadata 169.254.169.254), shared, reserved, multicast and
unspecified addresses are refused. Redirects are not followed, so a public URL cannot
bounce the request inside. ``allow_private`` on a subscription is the admin's explicit
exception (an internal system on the company network).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class UnsafeUrl(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, allow_private: bool) -> str:
    """The URL if it may be called; raises ``UnsafeUrl`` with a Russian reason otherwise."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("Адрес должен начинаться с http:// или https:// и содержать имя сервера")
    if parts.username or parts.password:
        raise UnsafeUrl("Логин и пароль в адресе не допускаются: подпись запроса — секрет подписки")
    try:
        infos = socket.getaddrinfo(
            parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), proto=socket.IPPROTO_TCP
        )
    except (socket.gaierror, UnicodeError):
        raise UnsafeUrl(f"Сервер «{parts.hostname}» не найден") from None
    addresses = {str(info[4][0]) for info in infos}
    inside = sorted(a for a in addresses if not _public(a))
    if inside and not allow_private:
        raise UnsafeUrl(
            f"Адрес ведёт во внутреннюю сеть ({', '.join(inside)}): такие адреса разрешает "
            "только администратор явно («разрешить внутренние адреса»)"
        )
    return url.strip()

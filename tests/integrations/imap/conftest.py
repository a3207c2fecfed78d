"""A real IMAP server for the tests: Debian's dovecot (dovecot-imapd) with a throw-away config on 127.0.0.1.

One dovecot per test session (worker), plain IMAP on a free port, users in a passwd-file
(dovecot re-reads it when it changes), so each test gets a fresh mailbox of its own. Letters
are put into a mailbox with IMAP APPEND, as a mail server's delivery would.
"""

from __future__ import annotations

import imaplib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "letmein"
_users = itertools.count(1)
USERS = 500  # mailboxes written into the passwd-file up front (one per test that asks)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(root: Path, port: int) -> str:
    if os.getuid() == 0:  # as root: dovecot's own users, mail owned by nobody
        internal, login, mail_user = "dovecot", "dovenull", "nobody"
    else:  # as anyone else: everything runs as that user
        internal = login = mail_user = pwd.getpwuid(os.getuid()).pw_name
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# a wrong-password test must not slow every later login from 127.0.0.1 (dovecot's penalty)
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
first_valid_uid = 1
default_internal_user = {internal}
default_login_user = {login}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={pwd.getpwnam(mail_user).pw_gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
"""


class Dovecot:
    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port

    def new_user(self) -> str:
        """A mailbox of its own for one test, from the users written before dovecot started.

        Appending to the passwd-file while dovecot runs is not enough: dovecot looks at the
        file at most once a second, so a login right after the append could be refused.
        """
        number = next(_users)
        assert number < USERS, "тестовых ящиков dovecot не хватило: увеличьте USERS"
        return f"crm{number}@test.local"

    def url(self, user: str, password: str = PASSWORD) -> str:
        return f"imap://{user.replace('@', '%40')}:{password}@127.0.0.1:{self.port}/INBOX"

    def append(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(user, PASSWORD)
        status, _ = conn.append(folder, None, None, raw)
        conn.logout()
        assert status == "OK"


@pytest.fixture(scope="session")
def dovecot():
    if not os.path.exists(DOVECOT):
        pytest.fail("dovecot не установлен: apt-get install dovecot-imapd (см. .ci/run)")
    # Not under pytest's tmp (mode 0700): dovecot's own users must reach the passwd-file and mail.
    root = Path(tempfile.mkdtemp(prefix="crm-dovecot-"))
    root.chmod(0o755)
    (root / "home").mkdir()
    (root / "passwd").write_text("".join(f"crm{n}@test.local:{{PLAIN}}{PASSWORD}\n" for n in range(USERS)))
    port = _free_port()
    (root / "dovecot.conf").write_text(_config(root, port))
    if os.getuid() == 0:
        shutil.chown(root / "home", "nobody", "nogroup")
    subprocess.run([DOVECOT, "-c", str(root / "dovecot.conf")], check=True)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield Dovecot(root, port)
    pid = (root / "run" / "master.pid").read_text().strip()
    subprocess.run(["kill", pid], check=False)
    time.sleep(0.2)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox(dovecot):
    return dovecot.new_user()

"""PDF of a DOCX through LibreOffice headless (``soffice --convert-to pdf``).

Each conversion runs in a temporary folder with a LibreOffice profile of its own
(``-env:UserInstallation``), so several conversions at once never fight over one profile,
with a time limit. Where ``soffice`` is missing, ``PdfUnavailable`` says so and the pages
offer the DOCX instead (``.ci/run`` installs Debian's ``libreoffice-writer-nogui``; for
``make run`` install it the same way).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT = 120


class PdfUnavailable(RuntimeError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice_path() is not None


def to_pdf(content: bytes, name: str = "document") -> bytes:
    """The PDF of DOCX ``content``; ``PdfUnavailable`` when LibreOffice is missing or fails."""
    binary = soffice_path()
    if binary is None:
        raise PdfUnavailable("PDF недоступен: на сервере не установлен LibreOffice (soffice). DOCX доступен.")
    with tempfile.TemporaryDirectory(prefix="crm-pdf-") as folder:
        work = Path(folder)
        source = work / f"{name}.docx"
        source.write_bytes(content)
        command = [
            binary,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=TIMEOUT)  # noqa: S603
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            raise PdfUnavailable(
                f"PDF не получился: LibreOffice завершился с ошибкой ({type(exc).__name__})"
            ) from None
        result = work / f"{name}.pdf"
        if not result.exists():
            raise PdfUnavailable("PDF не получился: LibreOffice не создал файл")
        return result.read_bytes()

"""Documents: DOCX generations per second and PDF conversions per second for a two-page contract,
and the size stored per version.

Generation is what ``documents.generate`` does per document: ``fill_data`` (money in figures and
in words, dates, the signatory in the genitive case by pymorphy3) and the docxtpl render of the
starter contract template (``models.documents.samples.contract_template``). The baseline is bare
docxtpl rendering the same template with a ready dict (no Russian conventions), so the ratio
says what our filling costs. Every document is checked (the INN, the amount in words and the
genitive signatory are in its text), so a fast but wrong run fails instead of printing figures.

PDF: LibreOffice headless (``soffice --convert-to pdf``) one document per call — what the
document page does on first request, after which the PDF is kept with the version — and, for
comparison, one call converting a batch (LibreOffice's start-up dominates). The PDF is checked
to have two pages. Skipped, saying so, where ``soffice`` is missing.

``python -m bench documents [--docs 200] [--pdfs 5]``
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from bench.common import check, sabotaged
from models.clients.cards import Client
from models.documents.filling import docx_paragraphs, fill_data, render
from models.documents.pdf import soffice_path, to_pdf
from models.documents.samples import contract_template
from models.documents.tables import ClientDocumentDetails
from models.identity.users import User
from models.sales.deals import Deal


def _world(i: int) -> tuple[Client, Deal, ClientDocumentDetails, User]:
    inn = "7707083894" if sabotaged() and i == 0 else "7707083893"  # a spoiled card: the check must see it
    client = Client(kind="company", full_name=f"Общество с ограниченной ответственностью «Ромашка-{i}»",
                    short_name=f"ООО «Ромашка-{i}»", inn=inn, kpp="773601001", ogrn="1027700132195",
                    legal_address="г. Москва, ул. Вавилова, д. 19", head_name="Петрова Анна Сергеевна",
                    head_position="Финансовый директор")
    deal = Deal(title=f"Ромашка-{i}: КАСКО", amount=Decimal("40000000"), premium=Decimal("1234567.885") + i,
                product_lines=["КАСКО"], contract_start=date(2027, 1, 1), contract_end=date(2027, 12, 31))
    details = ClientDocumentDetails(bank_name="ПАО Сбербанк", bik="044525225", account="40702810938000000001",
                                    corr_account="30101810400000000225", signatory_basis="Устава")
    manager = User(full_name="Смирнов Алексей Петрович", email="manager@broker.ru")
    return client, deal, details, manager


def _ours(template: bytes, i: int) -> bytes:
    client, deal, details, manager = _world(i)
    data = fill_data(kind="contract", number=f"Д-2026-{i:04d}", on=date(2026, 11, 30), client=client,
                     deal=deal,
                     details=details, manager=manager, discount=None)
    return render(template, data)


def _bare(template: bytes, data: dict) -> bytes:
    from docxtpl import DocxTemplate

    doc = DocxTemplate(io.BytesIO(template))
    doc.render(data)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _check(content: bytes) -> None:
    text = "\n".join(docx_paragraphs(content))
    check("ИНН 7707083893" in text, "в договоре нет ИНН клиента")
    check("рублей 89 копеек" in text or "копе" in text, "в договоре нет суммы прописью с копейками")
    check("в лице Финансового директора Петровой Анны Сергеевны" in text,
          "в договоре нет подписанта в падеже")


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds else float("inf")


def generations(n: int) -> tuple[float, float, list[int]]:
    template = contract_template()
    _ours(template, 0)  # warm-up: pymorphy3 dictionaries, docxtpl
    plain = fill_data(kind="contract", number="Д-2026-0000", on=date(2026, 11, 30), client=_world(0)[0],
                      deal=_world(0)[1], details=_world(0)[2], manager=_world(0)[3], discount=None)
    from models.documents.filling import _dotted  # the same dotted dict our render hands docxtpl

    ready = {k: _dotted(v) for k, v in plain.items()}
    ours_t, bare_t, sizes = [], [], []
    for i in range(n):  # interleaved, so load from other programs hits both alike
        started = time.perf_counter()
        content = _ours(template, i)
        ours_t.append(time.perf_counter() - started)
        started = time.perf_counter()
        _bare(template, ready)
        bare_t.append(time.perf_counter() - started)
        _check(content)
        sizes.append(len(content))
    return _rate(n, sum(ours_t)), _rate(n, sum(bare_t)), sizes


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def pdfs(n: int, content: bytes) -> tuple[float, float, int, int]:
    singles = []
    pdf = b""
    for i in range(n):
        started = time.perf_counter()
        pdf = to_pdf(content, f"c{i}")
        singles.append(time.perf_counter() - started)
    pages = _pages(pdf)
    check(pages == 2, f"в PDF договора {pages} страниц, ждали 2")
    with tempfile.TemporaryDirectory(prefix="crm-bench-pdf-") as folder:
        work = Path(folder)
        files = []
        for i in range(n):
            path = work / f"c{i}.docx"
            path.write_bytes(content)
            files.append(str(path))
        binary = soffice_path() or "soffice"
        started = time.perf_counter()
        subprocess.run([binary, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                        "--norestore", "--convert-to", "pdf", "--outdir", str(work), *files],
                       check=True, capture_output=True, timeout=600)
        batch = time.perf_counter() - started
        check(all((work / f"c{i}.pdf").exists() for i in range(n)), "soffice сделал не все PDF")
    return _rate(n, sum(singles)), _rate(n, batch), len(pdf), int(statistics.median(singles) * 1000)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench documents")
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--pdfs", type=int, default=5)
    args = parser.parse_args(argv)
    ours, bare, sizes = generations(args.docs)
    print(f"DOCX, двухстраничный договор, N = {args.docs}")
    print(f"{'вариант':<44}{'док./с':>10}{'к базе':>10}")
    print(f"{'docxtpl без наших правил (база)':<44}{bare:>10.1f}{1:>10.2f}")
    print(f"{'наше формирование (fill_data + render)':<44}{ours:>10.1f}{ours / bare:>10.2f}")
    print(f"размер версии DOCX: {statistics.median(sizes) / 1024:.1f} КБ (медиана), "
          f"хранится целиком вместе с SHA-256 и данными заполнения")
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        print("PDF: пропущено — LibreOffice (soffice) не установлен")
        return
    single, batch, pdf_size, p50 = pdfs(args.pdfs, _ours(contract_template(), 1))
    print(f"PDF (LibreOffice headless), N = {args.pdfs}, 2 страницы")
    print(f"{'по одному документу на вызов (как страница)':<44}{single:>10.2f}{'':>10}  p50 {p50} мс")
    print(f"{'пакетом в одном вызове soffice':<44}{batch:>10.2f}{batch / single:>10.2f}")
    print(f"размер PDF: {pdf_size / 1024:.1f} КБ (хранится при первом запросе, версия неизменна)")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])

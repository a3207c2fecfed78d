"""Acceptance 4: bad templates are refused with a message naming the problem, and nothing is stored."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from models.documents.samples import contract_template, docx_with_paragraphs
from models.documents.tables import DocumentTemplate, TemplateVersion
from models.documents.template_checks import OLE_MAGIC, TemplateRefused
from models.documents.templates import upload_template
from models.platform.permissions import AccessDenied


def _counts(session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(DocumentTemplate)),
        session.scalar(select(func.count()).select_from(TemplateVersion)),
    )


def _refused(world, data: bytes, filename: str = "t.docx") -> list[str]:
    before = _counts(world.session)
    with pytest.raises(TemplateRefused) as refused:
        upload_template(
            world.session,
            world.users["lawyer"],
            kind="contract",
            name="Новый",
            filename=filename,
            data=data,
            now=world.clock.now(),
        )
    world.session.rollback()
    assert _counts(world.session) == before
    return refused.value.problems


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_broken_tag_is_named_with_its_text(world):
    problems = _refused(world, docx_with_paragraphs("Страхователь {{ client.inn }", "ИНН {{ client..kpp }}"))
    assert any(
        "Незакрытый или разорванный тег" in p and "Страхователь {{ client.inn }" in p for p in problems
    )
    assert any("{{ client..kpp }}" in p for p in problems)


def test_unclosed_block_is_named(world):
    [problem] = _refused(world, docx_with_paragraphs("{% for row in products %}", "{{ row.name }}"))
    assert "{% for row in products %}" in problem or "endfor" in problem


def test_unknown_placeholders_are_listed_by_name(world):
    [problem] = _refused(
        world, docx_with_paragraphs("ИНН {{ client.inm }}", "{{ clent.name }} {{ client.inn }}")
    )
    assert "Неизвестные поля" in problem and "«client.inm»" in problem and "«clent.name»" in problem
    assert "client.inn" not in problem.replace("client.inm", "")


def test_not_a_docx(world):
    [problem] = _refused(world, b"%PDF-1.7 not a word file", "contract.pdf")
    assert problem.startswith("Это не DOCX")
    [problem] = _refused(world, _zip({"hello.txt": b"hi"}))
    assert "нет документа Word" in problem


def test_macro_enabled_is_refused(world):
    with zipfile.ZipFile(io.BytesIO(contract_template())) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    entries["word/vbaProject.bin"] = b"\x00" * 100
    [problem] = _refused(world, _zip(entries), "contract.docx")
    assert "макросами (.docm)" in problem
    [problem] = _refused(world, contract_template(), "contract.docm")
    assert "макросами (.docm)" in problem


def test_encrypted_file_is_refused(world):
    encrypted = OLE_MAGIC + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 512
    [problem] = _refused(world, encrypted)
    assert "зашифрован" in problem


def test_zip_bomb_is_refused(world):
    with zipfile.ZipFile(io.BytesIO(contract_template())) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    entries["word/media/bomb.bin"] = b"\x00" * (60 * 1024 * 1024)
    [problem] = _refused(world, _zip(entries))
    assert "zip-бомба" in problem
    many = {f"word/f{i}.xml": b"<a/>" for i in range(600)}
    [problem] = _refused(world, _zip(many))
    assert "Подозрительный архив" in problem and "600" in problem


def test_a_good_template_gets_versions_and_only_managers_may_upload(world):
    template_id = world.templates["contract"]
    version = upload_template(
        world.session,
        world.users["lawyer"],
        kind="contract",
        name="",
        filename="c2.docx",
        data=contract_template(),
        now=world.clock.now(),
        template_id=template_id,
    )
    world.session.commit()
    assert version.number == 2 and "signatory.in_person_of" in version.placeholders
    with pytest.raises(AccessDenied):
        upload_template(
            world.session,
            world.users["manager"],
            kind="contract",
            name="Мой",
            filename="c.docx",
            data=contract_template(),
            now=world.clock.now(),
        )

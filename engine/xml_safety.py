"""Parsing BPMN, DMN and other XML without resolving entities, DTDs or network references.

XML external entities (XXE) and entity-expansion bombs are refused outright: a document
with a DOCTYPE declaration is never parsed further.
"""

from __future__ import annotations

import re

from lxml import etree

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


class UnsafeXml(ValueError):
    """The document declares a DTD or entities, which we never process."""


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=False)


def parse_xml(content: bytes) -> etree._ElementTree:
    """Parse ``content``; raise ``UnsafeXml`` for DOCTYPE/ENTITY, ``etree.XMLSyntaxError`` if broken."""
    if _DOCTYPE.search(content[:4096]) or _DOCTYPE.search(content):
        raise UnsafeXml("XML содержит DOCTYPE или объявления сущностей (ENTITY) — такие файлы не принимаются")
    try:
        root = etree.fromstring(content, safe_parser())
    except etree.XMLSyntaxError as exc:
        if "huge" in str(exc).lower():  # libxml2 refuses text nodes over 10 MB without huge_tree
            raise UnsafeXml("В XML слишком большой текстовый узел (больше 10 МБ) — такие файлы "
                            "не принимаются") from None
        raise
    return etree.ElementTree(root)

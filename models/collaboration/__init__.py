"""Collaboration: one client timeline, requests between departments, discussions with marks, NPS.

Comments (``models.tasks.comments``) are indexed for search here with their «решение»/«пример»
marks (``comments``).
"""

from __future__ import annotations

from models.collaboration.comments import comment_text
from models.platform.registry import Registry
from models.search.sources import TextSource, declare_source
from models.tasks.comments import Comment


def register(registry: Registry) -> None:
    declare_source(registry, TextSource("comment", "Комментарий", Comment, comment_text,
                                        frozenset({"body", "object_type", "object_id"})))

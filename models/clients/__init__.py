"""The client base: cards, contacts, requisites, search index, duplicates, merge, history, import, export."""

from __future__ import annotations

from models.clients import access, demo, operations
from models.clients.cards import client_label, client_label_rows
from models.clients.imports.jobs import run_queued_imports
from models.platform.registry import Registry


def register(registry: Registry) -> None:
    access.register(registry)
    operations.register(registry)
    registry.labeler("client", client_label_rows, client_label)
    registry.job("client_imports", run_queued_imports)
    registry.demo_seed("clients", demo.seed_clients)
    registry.demo_seed("client_reviews", demo.seed_review_processes)

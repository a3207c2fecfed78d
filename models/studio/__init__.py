"""The process studio's domain: drafts, deploys with comments, owners, triggers, feedback on steps.

The engine owns process versions and runs them; this package owns what analysts and
employees do around them (``tables``), and serves the studio pages (``web/studio``):
``drafts`` (working copies, the deploy bundle), ``deploys`` (validate, preview, deploy),
``catalog`` (what the editor offers), ``forms`` (the form editor's checks), ``owners``,
``feedback``, ``triggers`` (domain events → processes), ``pages`` (reads for the pages).
"""

from __future__ import annotations

from models.platform.events import EVENTS
from models.platform.registry import Registry
from models.studio import demo, triggers


def register(registry: Registry) -> None:
    for event in EVENTS:
        registry.subscribe(event, triggers.on_event)
    registry.job("studio_triggers", triggers.run_pending)
    registry.demo_seed("studio", demo.seed_studio)

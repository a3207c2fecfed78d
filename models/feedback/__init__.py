"""Feedback from clients: a two-question survey (NPS 0–10 and a comment) after a won deal, a renewal
or a closed department request.

``surveys`` holds the rows and signs the links; ``service`` hears the events, mails the links
through the outbox (the ``feedback_surveys`` job), serves the public page and opens a task for
the senior manager on a low score; ``stats`` gives NPS per manager, product and process and
the ``feedback`` timeline source.
"""

from __future__ import annotations

from models.collaboration.timeline import TimelineSource, declare_timeline_source
from models.feedback.service import on_deal_closed, on_request_closed, send_due
from models.feedback.stats import timeline_answers
from models.platform.registry import Registry


def register(registry: Registry) -> None:
    registry.subscribe("deal.stage_changed", on_deal_closed)
    registry.subscribe("department_request.closed", on_request_closed)
    registry.job("feedback_surveys", send_due)
    declare_timeline_source(registry, TimelineSource("feedback", "Отзывы клиентов", timeline_answers))

"""The gate a deal passes before it enters a stage: a port the data-quality package implements.

Sales knows when a deal moves but not which data rules an admin configured for the target
stage: that is ``models.quality``, which imports this package and so cannot be imported
back. It declares its gate under ``STAGE_GATE`` (``Registry.service``); ``move_stage`` asks
it before changing anything, so a refusal (a ``DealError`` listing the reasons) leaves the
deal as it was. Without the quality package installed, every move passes.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.orm import Session

from models.platform.registry import installed

if TYPE_CHECKING:
    from models.sales.deals import Deal

STAGE_GATE = "sales.stage_gate"


class StageGate(Protocol):
    def __call__(self, session: Session, deal: Deal, target_stage: str, *, user_id: int | None,
                 now: datetime) -> list[str]:
        """The Russian reasons why ``deal`` may not enter ``target_stage`` (empty: it may).

        ``user_id`` and ``now``: who tries and when, so the gate can keep a refused attempt.
        """
        ...


def gate_reasons(session: Session, deal: Deal, target_stage: str, *, user_id: int | None,
                 now: datetime) -> list[str]:
    gate = installed().services.get(STAGE_GATE)
    if gate is None:
        return []
    return list(gate(session, deal, target_stage, user_id=user_id, now=now))  # type: ignore[operator]

"""Keeps SpiffWorkflow's per-task logging from costing CPU when nobody reads it.

SpiffWorkflow logs every task state change at INFO and builds the record's ``extra`` before
the call, so it is paid even when INFO is off. How much it builds depends on the logger's
*own* level, not the effective one: below INFO (and NOTSET, the default, is 0) it adds the
task's data and, for the workflow, the id of every task in the tree (a full tree walk each
time). Measured on the lead intake: about 6 % of a lead's CPU. The engine therefore gives
SpiffWorkflow's loggers the level WARNING when nothing configured them, which changes no
output under the default root level; a deployment that wants SpiffWorkflow's task log sets
their level explicitly (``logging.getLogger("spiff.task").setLevel(logging.DEBUG)``), and that
choice is kept.
"""

from __future__ import annotations

import logging

SPIFF_LOGGERS = ("spiff.task", "spiff.workflow", "spiff.data", "spiff.dmn")


def quiet_unconfigured_loggers() -> None:
    """Give each SpiffWorkflow logger that has no level of its own the level WARNING."""
    for name in SPIFF_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)

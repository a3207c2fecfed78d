"""SpiffWorkflow's loggers: quiet unless configured, so its log extras do not walk the task tree."""

from __future__ import annotations

import logging

import pytest

import engine  # noqa: F401  (importing the engine sets the levels)
from engine.spiff_logging import SPIFF_LOGGERS, quiet_unconfigured_loggers


def test_the_engine_leaves_no_spiff_logger_below_info() -> None:
    # Below INFO, SpiffWorkflow adds every task's id to each workflow log record it builds.
    assert all(logging.getLogger(name).level >= logging.INFO for name in SPIFF_LOGGERS)


@pytest.fixture
def spiff_levels():
    kept = {name: logging.getLogger(name).level for name in SPIFF_LOGGERS}
    yield
    for name, level in kept.items():
        logging.getLogger(name).setLevel(level)


def test_a_level_set_by_the_deployment_is_kept(spiff_levels) -> None:
    logging.getLogger("spiff.task").setLevel(logging.DEBUG)
    logging.getLogger("spiff.workflow").setLevel(logging.NOTSET)
    quiet_unconfigured_loggers()
    assert logging.getLogger("spiff.task").level == logging.DEBUG
    assert logging.getLogger("spiff.workflow").level == logging.WARNING

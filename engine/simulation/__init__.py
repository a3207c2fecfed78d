"""Simulation before launch: the real engine runs a process version on a virtual clock.

``engine.api.ProcessEngine.simulate`` is the entry point: it reads what the scenario needs
from the database (the version's spec, recorded durations and starts) and runs
``engine.simulation.run.Simulation``, which writes nothing anywhere. ``scenario`` reads and
checks the scenario; ``results`` summarises a run.
"""

from engine.simulation.results import SimulationResult
from engine.simulation.scenario import Scenario, ScenarioError, parse_scenario

__all__ = ["Scenario", "ScenarioError", "SimulationResult", "parse_scenario"]

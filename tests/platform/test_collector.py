"""The collector pause of bulk jobs: off inside, back afterwards, and nested pauses count."""

from __future__ import annotations

import gc
import threading

import pytest

from models.platform.collector import paused_collector


@pytest.fixture(autouse=True)
def _collector_running():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_inside_and_back_after():
    with paused_collector():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_it_comes_back_after_an_error_too():
    with pytest.raises(ValueError), paused_collector():
        raise ValueError("строка не прошла")
    assert gc.isenabled()


def test_an_overlapping_pause_keeps_it_off_until_the_last_one_ends():
    first_inside, second_done, states = threading.Event(), threading.Event(), []

    def other_job():
        with paused_collector():
            first_inside.set()
            second_done.wait(5)
        states.append(gc.isenabled())

    thread = threading.Thread(target=other_job)
    thread.start()
    assert first_inside.wait(5)
    with paused_collector():
        pass
    states.append(gc.isenabled())  # the other job is still inside: the collector stays off
    second_done.set()
    thread.join(5)
    assert states == [False, True]


def test_a_collector_switched_off_before_stays_off():
    gc.disable()
    with paused_collector():
        pass
    assert not gc.isenabled()


def test_cycles_made_during_the_pause_are_collected_afterwards():
    class Node:
        pass

    with paused_collector():
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
        assert [o for o in gc.get_objects() if isinstance(o, Node)]  # the cycle outlives its names
    gc.collect(0)
    assert not [o for o in gc.get_objects() if isinstance(o, Node)]

"""Checks for ex08: `.venv/bin/course check 04 ex08` runs them against your task."""

from collections import Counter

import pytest

from course.exercises import load_exercise

task = load_exercise(__file__)


def test_the_heavy_instance_is_spread_out_not_sent_a_burst():
    balancer = task.SmoothWeighted({"a": 5, "b": 1, "c": 1})
    assert [balancer.pick() for _ in range(7)] == list("aabacaa"), "nginx's own example"


def test_each_instance_gets_its_share_of_every_full_cycle():
    balancer = task.SmoothWeighted({"big": 3, "small": 1})
    assert Counter(balancer.pick() for _ in range(40)) == {"big": 30, "small": 10}


def test_equal_weights_take_turns_in_order():
    balancer = task.SmoothWeighted({"x": 1, "y": 1, "z": 1})
    assert [balancer.pick() for _ in range(6)] == list("xyzxyz")


def test_a_down_instance_is_left_out_and_the_others_share_its_load():
    balancer = task.SmoothWeighted({"a": 2, "b": 1, "c": 1})
    picks = [balancer.pick(down={"a"}) for _ in range(4)]
    assert picks == list("bcbc")


def test_an_instance_back_from_down_rejoins_its_turns():
    balancer = task.SmoothWeighted({"a": 1, "b": 1})
    assert [balancer.pick(down={"b"}) for _ in range(2)] == ["a", "a"]
    assert [balancer.pick() for _ in range(4)] == list("abab")


def test_with_every_instance_down_it_says_so():
    balancer = task.SmoothWeighted({"a": 1})
    with pytest.raises(LookupError, match="every instance is down"):
        balancer.pick(down={"a"})

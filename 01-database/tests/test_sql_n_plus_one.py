"""Touching a lazy relationship in a loop costs a query per row; eager loading does not."""

import types

import db_timing
import pytest
import sql_n_plus_one
from sql_n_plus_one import LOADERS, add_orders_with_lines, comparison_lines, count_statements

ORDERS = 20


@pytest.fixture
def orders(engine):
    add_orders_with_lines(engine, orders=ORDERS, lines_per_order=3)
    return engine


@pytest.mark.parametrize(
    ("loader", "statements"),
    [("lazy (N+1)", 1 + ORDERS), ("selectinload", 2), ("joinedload", 1)],
)
def test_listing_orders_with_their_lines_sends_this_many_statements(orders, loader, statements):
    result = count_statements(orders, LOADERS[loader])

    assert result["statements"] == statements


@pytest.mark.parametrize("loader", ["selectinload", "joinedload"])
def test_eager_loading_returns_the_same_summaries_as_lazy_loading(orders, loader):
    lazy = count_statements(orders, LOADERS["lazy (N+1)"])["summaries"]

    assert count_statements(orders, LOADERS[loader])["summaries"] == lazy
    assert lazy[0][1] == 3 * 2  # three lines of two units each


def test_the_comparison_names_no_winner_when_eager_timings_are_within_noise():
    results = {
        "lazy (N+1)": {"statements": 501, "median_ms": 200.0, "summaries": []},
        "selectinload": {"statements": 2, "median_ms": 20.0, "summaries": []},
        "joinedload": {"statements": 1, "median_ms": 22.0, "summaries": []},
    }

    lines = comparison_lines(results)

    assert "   2 statements " in lines[1] and "10.0x faster than lazy" in lines[1]
    assert "   1 statement " in lines[2] and "1 statements" not in lines[2]
    assert lines[3] == "   selectinload and joinedload: 1.1x apart, within noise, no winner"
    assert lines[4] == "   all three return the same summaries: True"


def test_the_comparison_says_so_when_a_loader_returns_other_summaries():
    results = eager([20.0] * 5, [22.0] * 5)
    results["joinedload"]["summaries"] = [(1, 6)]

    assert comparison_lines(results)[4] == "   all three return the same summaries: False"


def test_the_loaders_are_timed_in_rounds_that_run_each_once_after_a_warm_up_round(
    orders, monkeypatch
):
    # one loader's runs back to back would let a busy moment of the machine fall on it alone;
    # rounds of one run each (the order rotating) spread it over all three. A count of the
    # calls and their order, never a timing
    calls = []

    def noted(name, loader):
        def run(session):
            calls.append(name)
            return loader(session)

        return run

    loaders = {name: noted(name, loader) for name, loader in LOADERS.items()}
    monkeypatch.setattr(sql_n_plus_one, "LOADERS", loaders)

    results = sql_n_plus_one.compare_loaders(orders, runs=3)

    assert [len(result["runs_ms"]) for result in results.values()] == [3, 3, 3]
    # an untimed warm-up round, 3 timed rounds, then the untimed run that counts statements
    assert [calls.count(name) for name in LOADERS] == [1 + 3 + 1] * 3
    rounds = [calls[start : start + 3] for start in range(0, 3 * (1 + 3), 3)]
    assert all(sorted(one) == sorted(LOADERS) for one in rounds), rounds
    assert len({one[0] for one in rounds[1:]}) == 3, "the order does not rotate"


def test_each_timed_run_starts_after_a_garbage_collection_outside_the_timer(orders, monkeypatch):
    # interleaved, the lazy loader's many allocations would otherwise set off a full
    # collection (tens of ms: it walks every live object) during the next loader's run
    events = []
    real_clock = db_timing.time.perf_counter

    def clock() -> float:  # db_timing's own clock only: its module's `time`, not the process's
        events.append("clock")
        return real_clock()

    monkeypatch.setattr(db_timing, "time", types.SimpleNamespace(perf_counter=clock))

    def noted(name, loader):
        def run(session):
            events.append(name)
            return loader(session)

        return run

    monkeypatch.setattr(
        sql_n_plus_one, "LOADERS", {name: noted(name, loader) for name, loader in LOADERS.items()}
    )
    monkeypatch.setattr(sql_n_plus_one.gc, "collect", lambda: events.append("collect"))

    sql_n_plus_one.compare_loaders(orders, runs=2)

    runs = 3 * (1 + 2)  # the warm-up round and 2 rounds of the three loaders
    timed = [events[4 * run : 4 * run + 4] for run in range(runs)]
    # collect, then the clock starts, the loader runs, the clock stops: no collection inside
    assert [[one[0], one[1], one[3]] for one in timed] == [["collect", "clock", "clock"]] * runs
    assert all(one[2] in LOADERS for one in timed), timed


def eager(selectin_runs, joined_runs):
    return {
        "lazy (N+1)": {"statements": 501, "median_ms": 200.0, "summaries": []},
        "selectinload": {
            "statements": 2,
            "runs_ms": selectin_runs,
            "median_ms": sorted(selectin_runs)[len(selectin_runs) // 2],
            "summaries": [],
        },
        "joinedload": {
            "statements": 1,
            "runs_ms": joined_runs,
            "median_ms": sorted(joined_runs)[len(joined_runs) // 2],
            "summaries": [],
        },
    }


def test_the_comparison_names_no_winner_when_the_runs_overlap_even_if_the_medians_are_apart():
    lines = comparison_lines(eager([45.0, 47.0, 47.1, 48.0, 20.0], [27.4, 27.0, 28.0, 50.0, 26.0]))

    assert lines[3] == (
        "   selectinload and joinedload: 1.7x apart, but their runs overlap:"
        " within noise, no winner"
    )


def test_the_comparison_names_a_winner_only_when_every_run_of_it_beat_every_run_of_the_other():
    lines = comparison_lines(eager([45.0, 47.0, 47.1, 48.0, 49.0], [27.4, 27.0, 28.0, 29.0, 26.0]))

    assert lines[3].startswith("   joinedload is 1.7x faster than the other on this data")

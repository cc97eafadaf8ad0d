"""Touching a lazy relationship in a loop costs a query per row; eager loading does not."""

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


def test_each_loader_is_timed_after_one_untimed_warm_up_run(orders, monkeypatch):
    # the first run pays for the pool's connection and the compiled-statement cache
    calls = []

    def counted(engine, loader):
        calls.append(loader)
        return count_statements(engine, loader)

    monkeypatch.setattr(sql_n_plus_one, "count_statements", counted)
    runs_ms = sql_n_plus_one.timed_runs_ms(orders, LOADERS["joinedload"], runs=3)

    assert len(runs_ms) == 3
    assert len(calls) == 1 + 3


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

"""What the demos print agrees with what they conclude (learner-db11)."""

from mongo_esr import main as esr_main
from redis_multi_exec import main as multi_exec_main
from sql_n_plus_one import comparison_lines


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


def test_the_malformed_transaction_shows_the_servers_execabort(capsys):
    multi_exec_main()

    assert "EXEC answered: EXECABORT Transaction discarded because of previous errors." in (
        capsys.readouterr().out
    )


def test_the_esr_demo_prints_the_keys_and_documents_examined_and_a_conclusion_true_of_them(capsys):
    esr_main()

    out = capsys.readouterr().out
    assert out.count(" keys, ") == 2 and "documents" in out
    if out.count("SORT <- FETCH <- IXSCAN") == 2:  # SecantusDB: both plans sort
        assert "on real MongoDB" in out and "shows no difference" in out

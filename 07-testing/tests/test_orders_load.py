"""A load test, bounded: Locust runs headless against the real server, its threshold decides.

The run reports requests per second and latency percentiles, and its exit code is the error
threshold's verdict. Locust by itself exits 1 on ANY failed request, so the threshold is
proven only by a run with some failures that it lets pass: `LostCustomer` (one request in four
a 404) passes under a 30 percent threshold and fails under 1 percent. The three runs go at
once, in three Locust processes, to keep the test short. No test asserts a speed: a number of
requests per second depends on the machine, not on the code.
"""

from concurrent.futures import ThreadPoolExecutor

from testing_load import run_locust


def test_a_bounded_run_measures_the_api_and_the_threshold_judges_the_errors(orders_server):
    url = orders_server.url
    with ThreadPoolExecutor(max_workers=3) as pool:
        good = pool.submit(run_locust, url, users=2, seconds=2)
        lost = {
            allowed: pool.submit(
                run_locust, url, user="LostCustomer", users=1, seconds=1, max_fail_ratio=allowed
            )
            for allowed in (0.3, 0.01)
        }
        good, lost = good.result(), {allowed: run.result() for allowed, run in lost.items()}
    assert good.requests > 0 and good.requests_per_second > 0
    assert good.p95_ms >= good.median_ms > 0
    assert (good.failures, good.exit_code) == (0, 0)
    for run in lost.values():
        assert run.failures > 0 and run.failures * 4 == run.requests, run  # a quarter failed
    assert lost[0.3].exit_code == 0, "25% failed: a 30% threshold must pass the run"
    assert lost[0.01].exit_code == 1, "more than 1% failed: the threshold must fail the run"

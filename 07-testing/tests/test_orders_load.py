"""A load test, bounded: Locust runs headless for two seconds against the real server.

The run reports requests per second and latency percentiles, and its exit code is the error
threshold's verdict. A second run of `LostCustomer` (every request a 404) shows the threshold
failing a run. Both run at once, in two Locust processes, to keep the test short. No test
asserts a speed: a number of requests per second depends on the machine, not on the code.
"""

from concurrent.futures import ThreadPoolExecutor

from testing_load import run_locust


def test_a_bounded_run_measures_the_api_and_the_threshold_judges_the_errors(orders_server):
    with ThreadPoolExecutor(max_workers=2) as pool:
        good = pool.submit(run_locust, orders_server.url, users=4, seconds=2)
        lost = pool.submit(run_locust, orders_server.url, user="LostCustomer", users=1, seconds=2)
        good, lost = good.result(), lost.result()
    assert good.requests > 0 and good.requests_per_second > 0
    assert good.p95_ms >= good.median_ms > 0
    assert (good.failures, good.exit_code) == (0, 0)
    assert lost.requests > 0 and lost.failures == lost.requests
    assert lost.exit_code == 1, "more than 1% failed: the threshold must fail the run"

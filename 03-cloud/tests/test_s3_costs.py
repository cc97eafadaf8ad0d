"""The worked cost example adds up, and egress dominates it."""

from __future__ import annotations

from s3_costs import GB, PHOTO_APP, Prices, Workload, monthly_bill


def test_each_line_of_the_photo_apps_bill():
    bill = monthly_bill(PHOTO_APP)
    # AWS's GB is 2^30 bytes: 500e9 bytes = 465.66 GB x $0.023; 250,000 writes x
    # $0.005/1,000; 2M reads x $0.0004/1,000; (5e12 bytes = 4,656.6 GB - 100 free) x $0.09
    assert bill == {"storage": 10.71, "writes": 1.25, "reads": 0.8, "egress": 410.1,
                    "total": 422.86}  # fmt: skip


def test_egress_under_the_free_allowance_costs_nothing():
    small = Workload(stored_bytes=GB, uploads=0, downloads=1000, average_download_bytes=1_000_000)
    assert monthly_bill(small)["egress"] == 0


def test_prices_are_parameters_not_constants_in_the_code():
    free = Prices(storage_per_gb_month=0, write_per_1000=0, read_per_1000=0, egress_per_gb=0)
    assert monthly_bill(PHOTO_APP, free)["total"] == 0

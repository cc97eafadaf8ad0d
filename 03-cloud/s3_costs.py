"""When to use which storage: a month of a photo-sharing app's files, priced.

Running it prices one month of an example app on S3 Standard in us-east-1: the storage, the
requests and the bytes sent to the internet, with the list prices written below (check the
pricing page: prices change and differ by region). It shows the usual surprise: for files
people download a lot, the egress, not the storage, is most of the bill.
"""

from __future__ import annotations

from dataclasses import dataclass

# AWS's "GB" is binary: "1 GB = 2^30 bytes, also known as a gibibyte" (S3 FAQ, billing)
GB = 1024**3


@dataclass(frozen=True)
class Prices:
    """S3 Standard list prices in US dollars (us-east-1, first tier; checked 2026-12-01)."""

    storage_per_gb_month: float = 0.023
    write_per_1000: float = 0.005  # PUT, COPY, POST, LIST
    read_per_1000: float = 0.0004  # GET, SELECT and other reads
    egress_per_gb: float = 0.09  # to the internet, after the first 100 GB a month (free)
    free_egress_gb: float = 100  # per AWS account, across all services and regions


@dataclass(frozen=True)
class Workload:
    """One month of an application's object storage."""

    stored_bytes: int
    uploads: int
    downloads: int
    average_download_bytes: int
    listings: int = 0


def monthly_bill(workload: Workload, prices: Prices = Prices()) -> dict[str, float]:
    """The month's cost in dollars, by line: storage, writes, reads, egress, and the total."""
    egress_gb = workload.downloads * workload.average_download_bytes / GB
    lines = {
        "storage": workload.stored_bytes / GB * prices.storage_per_gb_month,
        "writes": (workload.uploads + workload.listings) / 1000 * prices.write_per_1000,
        "reads": workload.downloads / 1000 * prices.read_per_1000,
        "egress": max(0.0, egress_gb - prices.free_egress_gb) * prices.egress_per_gb,
    }
    lines["total"] = sum(lines.values())
    return {name: round(value, 2) for name, value in lines.items()}


PHOTO_APP = Workload(
    stored_bytes=200_000 * 2_500_000,  # 200,000 photos of 2.5 MB: 500 GB, 466 binary GB
    uploads=200_000,
    downloads=2_000_000,  # each photo seen 10 times a month, at full size
    average_download_bytes=2_500_000,
    listings=50_000,
)


def main() -> None:
    bill, prices = monthly_bill(PHOTO_APP), Prices()
    print("One month of a photo app on S3 Standard (us-east-1 list prices, first tier):")
    print(
        "   500 x 10^9 bytes stored, 200,000 uploads, 2,000,000 downloads of 2.5 MB, 50,000 lists"
    )
    print(
        f"   prices: ${prices.storage_per_gb_month}/GB-month, ${prices.write_per_1000} per 1,000 "
        f"writes, ${prices.read_per_1000} per 1,000 reads, ${prices.egress_per_gb}/GB out"
    )
    print(f"   after the first {prices.free_egress_gb:.0f} GB out free (per account); AWS's GB is "
          "2^30 bytes")  # fmt: skip
    for name, dollars in bill.items():
        print(f"   {name:8} ${dollars:>9,.2f}")
    share = bill["egress"] / bill["total"]
    print(f"Conclusion: egress is {share:.0%} of the bill. A CDN in front, smaller images")
    print("(thumbnails), or a provider with cheaper egress changes the total most.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()

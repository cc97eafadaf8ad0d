"""A latency histogram drawn as SVG, from the buckets Prometheus keeps (no plotting library).

The notebook shows it with `IPython.display.SVG`; `python monitoring_chart.py` writes an
example to a temporary file and prints its path.
"""

from __future__ import annotations

WIDTH, HEIGHT, MARGIN = 560, 220, 40


def bucket_counts(cumulative: list[tuple[float, float]]) -> list[tuple[str, float]]:
    """Turn cumulative (upper bound, count) pairs into a (label, count in this bucket) list."""
    counts, previous = [], 0  # an int start keeps whole counts whole (120, not 120.0)
    for upper, count in cumulative:
        label = "+Inf" if upper == float("inf") else f"≤{upper * 1000:g} ms"
        counts.append((label, count - previous))
        previous = count
    return counts


def histogram_svg(cumulative: list[tuple[float, float]], title: str) -> str:
    """Return an SVG bar chart of a latency histogram, one bar per bucket."""
    counts = bucket_counts(cumulative)
    tallest = max((count for _, count in counts), default=0) or 1
    bar_width = (WIDTH - 2 * MARGIN) / max(len(counts), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        'font-family="sans-serif" font-size="10">',
        f'<text x="{MARGIN}" y="16" font-size="13">{title}</text>',
    ]
    for index, (label, count) in enumerate(counts):
        height = (HEIGHT - 2 * MARGIN) * count / tallest
        x, y = MARGIN + index * bar_width, HEIGHT - MARGIN - height
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bar_width - 4:.1f}" '
            f'height="{height:.1f}" fill="#4c78a8"/>'
        )
        parts.append(
            f'<text x="{x + bar_width / 2:.1f}" y="{y - 3:.1f}" '
            f'text-anchor="middle">{count:g}</text>'
        )
        parts.append(
            f'<text x="{x + bar_width / 2:.1f}" y="{HEIGHT - MARGIN + 14}" '
            f'text-anchor="middle">{label}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def main() -> None:
    import tempfile

    example = [(0.005, 120), (0.01, 260), (0.025, 290), (0.1, 296), (0.5, 300), (float("inf"), 300)]
    with tempfile.NamedTemporaryFile("w", suffix=".svg", delete=False, encoding="utf-8") as file:
        file.write(histogram_svg(example, "example latency histogram"))
    print(f"1. Bars per bucket: {bucket_counts(example)}")
    print(f"2. Wrote {file.name}: open it in any SVG viewer (the notebook shows it inline)")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()

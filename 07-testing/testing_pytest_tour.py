"""pytest's failure report, read line by line: what assert rewriting adds to it.

Running it runs pytest (in a child process, with no plugins and no course configuration) on
`samples/report_sample.py`, a test that fails on purpose, and prints the report twice:
1. as pytest writes it by default: the failing line, then the values of both sides and where
   the left one came from (pytest rewrote the `assert` statement when it imported the file);
2. with `--assert=plain`: the same failure as a bare AssertionError, no values.
"""

from __future__ import annotations

from testing_pytest_runs import SAMPLES, run_samples

SAMPLE = str(SAMPLES / "report_sample.py")


def failure_section(output: str) -> list[str]:
    """Return the lines of the report between the FAILURES header and the short summary."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if "FAILURES" in line)
    end = next(i for i, line in enumerate(lines) if "short test summary" in line)
    return lines[start + 1 : end]


def main() -> None:
    print("1. The failure report as pytest writes it (assert rewriting on, the default):")
    for line in failure_section(run_samples(SAMPLE, "-q").output):
        print(f"   | {line}")
    print("2. The same test with --assert=plain (no rewriting):")
    for line in failure_section(run_samples(SAMPLE, "-q", "--assert=plain").output):
        if line.startswith("E"):
            print(f"   | {line}")
    print("Conclusion: read a report from the bottom of the failure up: the E lines say what")
    print("was compared, the '+ where' lines where each value came from, the > line which")
    print("line of the test failed, and the last line names the file and line number.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()

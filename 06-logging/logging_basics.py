"""The logging module, properly: named loggers, levels, handlers, dictConfig, lazy arguments.

Running it configures logging once, from `logging_config.toml`, and shows in numbered steps:
the logger hierarchy (`shop.db` inherits from `shop`), levels set per logger, a library that
adds only a `NullHandler`, lazy `%` arguments that cost nothing when the level is off (an
f-string pays every time), `logger.exception` with the traceback, warnings captured into
logging, and the two habits that go wrong: `print` and `basicConfig` inside a module.
"""

from __future__ import annotations

import io
import logging
import logging.config
import sys
import tomllib
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)

CONFIG_FILE = Path(__file__).with_name("logging_config.toml")


def configure_from_file(path: Path = CONFIG_FILE) -> dict:
    """Read a dictConfig schema from a TOML file and apply it: once, at start-up."""
    with open(path, "rb") as file:
        config = tomllib.load(file)
    logging.config.dictConfig(config)
    return config


def make_library_logger(name: str) -> logging.Logger:
    """Return a library's logger: a NullHandler only, so the application decides the output."""
    library_logger = logging.getLogger(name)
    # a library never adds a real handler or calls basicConfig: that is the application's job
    library_logger.addHandler(logging.NullHandler())
    return library_logger


class CountedArgument:
    """An argument that counts how often it was turned into text (to show lazy formatting)."""

    def __init__(self) -> None:
        self.formatted = 0

    def __str__(self) -> str:
        self.formatted += 1
        return "expensive-value"


def lazy_and_eager_calls(target: logging.Logger, calls: int) -> tuple[int, int]:
    """Log at DEBUG with %-arguments and with an f-string; return how often each formatted."""
    lazy, eager = CountedArgument(), CountedArgument()
    for _ in range(calls):
        target.debug("lazy: %s", lazy)  # formatted only if a handler will emit the record
        target.debug(f"eager: {eager}")  # formatted before the call, even when DEBUG is off
    return lazy.formatted, eager.formatted


def charge(amount_cents: int) -> int:
    """Charge an amount; a negative one is a bug the caller made."""
    if amount_cents < 0:
        raise ValueError(f"amount must be positive, got {amount_cents}")
    return amount_cents


def charge_and_log(amount_cents: int) -> int | None:
    """Charge, and log a failure with its traceback (`logger.exception`) instead of hiding it."""
    try:
        return charge(amount_cents)
    except ValueError:
        # exception() logs at ERROR with exc_info=True: the traceback goes into the record
        logger.exception("charge failed", extra={"amount_cents": amount_cents})
        return None


def warn_through_logging() -> None:
    """Route `warnings.warn` into the `py.warnings` logger, then raise one warning."""
    logging.captureWarnings(True)
    try:
        warnings.warn("the v1 price API is deprecated", DeprecationWarning, stacklevel=1)
    finally:
        logging.captureWarnings(False)


def basic_config_after_setup_is_ignored() -> bool:
    """Call basicConfig(level=DEBUG) after configuration; return whether the root changed."""
    before = logging.getLogger().level
    # basicConfig does nothing when the root logger already has a handler: a module that
    # calls it at import either hijacks the application's set-up (if first) or is silently ignored
    logging.basicConfig(level=logging.DEBUG)
    return logging.getLogger().level != before


def main() -> None:
    configure_from_file()
    shop, shop_db = logging.getLogger("shop"), logging.getLogger("shop.db")
    print("1. Configured once from logging_config.toml with dictConfig; the hierarchy:")
    levels = [logging.getLevelName(each.getEffectiveLevel()) for each in (shop, shop_db)]
    print(
        f"   shop.db's parent is {shop_db.parent.name!r}; levels: shop={levels[0]}, "
        f"shop.db={levels[1]}"
    )
    sys.stdout.flush()
    shop.debug("not shown: shop logs from INFO up")
    shop_db.debug("shown: shop.db was turned up to DEBUG in the file")
    library = make_library_logger("acme_sdk")
    print(f"2. A library adds only a NullHandler: {library.handlers}")
    library.warning("a library warning still reaches the root's handler")
    lazy, eager = lazy_and_eager_calls(logging.getLogger("shop.api"), 1000)
    print(f"3. 1,000 disabled DEBUG calls: %-args formatted {lazy} times, f-string {eager} times")
    print("4. logger.exception keeps the traceback in the record; its first and last lines:")
    captured = io.StringIO()
    logger.addHandler(logging.StreamHandler(captured))
    logger.propagate = False  # for this step only: the full traceback goes to the buffer
    charge_and_log(-5)
    logger.propagate = True
    lines = captured.getvalue().splitlines()
    print(f"   {lines[0]!r} ... {lines[-1]!r} ({len(lines)} lines)")
    warn_through_logging()
    print("5. ^ a warning captured into the py.warnings logger, with the same handlers")
    print(
        f"6. basicConfig after configuration changed the root level: "
        f"{basic_config_after_setup_is_ignored()}"
    )
    print("   print() has no level, no logger name, no time, and cannot be turned off or")
    print("   sent elsewhere: library code logs; only main() prints.")
    print("Conclusion: getLogger(__name__) everywhere, configuration once in main() from a")
    print("file, %-arguments for laziness, exception() inside except blocks.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()

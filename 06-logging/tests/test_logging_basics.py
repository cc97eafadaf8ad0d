"""The logging module, configured once from a file, used with lazy arguments and exception()."""

import logging
import warnings

import logging_basics


def test_the_config_file_sets_a_level_per_logger(capsys):
    logging_basics.configure_from_file()
    assert logging.getLogger("shop").getEffectiveLevel() == logging.INFO
    assert logging.getLogger("shop.db").getEffectiveLevel() == logging.DEBUG
    assert logging.getLogger("shop.api").getEffectiveLevel() == logging.INFO  # inherited
    assert logging.getLogger("urllib3").getEffectiveLevel() == logging.WARNING

    logging.getLogger("shop.db").debug("a query")
    logging.getLogger("shop.api").debug("hidden")

    output = capsys.readouterr().out
    assert "DEBUG    shop.db: a query" in output
    assert "hidden" not in output


def test_disabled_debug_calls_with_percent_arguments_never_format_them():
    quiet = logging.getLogger("shop.quiet")
    quiet.setLevel(logging.INFO)
    lazy, eager = logging_basics.lazy_and_eager_calls(quiet, 50)
    assert (lazy, eager) == (0, 50)


def test_a_library_logger_has_only_a_null_handler():
    library = logging_basics.make_library_logger("acme_sdk_test")
    assert [type(handler) for handler in library.handlers] == [logging.NullHandler]


def test_exception_logs_at_error_with_the_traceback_and_the_extra_field(caplog):
    caplog.set_level(logging.INFO)
    assert logging_basics.charge_and_log(-5) is None
    [record] = caplog.records
    assert (record.levelname, record.getMessage()) == ("ERROR", "charge failed")
    assert record.exc_info[0] is ValueError
    assert record.amount_cents == -5


def test_warnings_are_captured_into_the_py_warnings_logger(caplog):
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # the suite turns warnings into errors: let this one be
        logging_basics.warn_through_logging()
    [record] = [r for r in caplog.records if r.name == "py.warnings"]
    assert "the v1 price API is deprecated" in record.getMessage()


def test_basic_config_after_the_application_configured_logging_changes_nothing(capsys):
    logging_basics.configure_from_file()
    assert logging_basics.basic_config_after_setup_is_ignored() is False

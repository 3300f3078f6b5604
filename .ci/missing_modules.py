"""
A pytest plugin for the runs of .ci/multi-python on an interpreter where
some test dependencies cannot be installed (the free-threaded build: no
wheel of cryptography exists for it, and its source needs crates that
cannot be fetched here).

MTCORE_CI_MISSING names those modules (comma-separated).  A test, fixture
or test module that fails only because one of them is missing (its
failure report shows "ModuleNotFoundError: No module named 'NAME'" or
mtcore's MissingExtra text "needs the optional package 'NAME'", raised in
the test or in a subprocess it ran) is reported as skipped with
that reason, and the run ends with a count of them per module.  Every
other failure still fails the run.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest

MISSING = tuple(m for m in os.environ.get("MTCORE_CI_MISSING", "").split(",") if m)
not_run: Counter[str] = Counter()


def _missing_module(report: pytest.CollectReport | pytest.TestReport) -> str | None:
    if not report.failed or report.longrepr is None:
        return None
    text = str(report.longrepr)
    for name in MISSING:
        # the interpreter's words, or mtcore's (MissingExtra)
        if (
            f"ModuleNotFoundError: No module named '{name}" in text
            or f"needs the optional package '{name}'" in text
        ):
            return name
    return None


def _mark_not_run(report, name: str, where: str) -> None:  # type: ignore[no-untyped-def]
    not_run[name] += 1
    report.outcome = "skipped"
    report.longrepr = (
        where,
        None,
        f"Skipped: needs {name}, which cannot be installed on this interpreter",
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    name = _missing_module(report)
    if name is not None:
        _mark_not_run(report, name, str(collector.path))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    name = _missing_module(report)
    if name is not None:
        _mark_not_run(report, name, item.nodeid)


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    for name, count in sorted(not_run.items()):
        terminalreporter.write_line(
            f"NOT RUN: {count} tests or test modules need {name}, "
            "which cannot be installed on this interpreter"
        )

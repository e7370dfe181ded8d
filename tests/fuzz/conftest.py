"""Fuzzing profiles: a short run in every test run (2,000 inputs per target, seconds), a long one for
`make fuzz` (CLEARSIGHT_FUZZ=1, or CLEARSIGHT_FUZZ_EXAMPLES=N per target), with the number of
inputs each target ran printed at the end."""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings

EXECUTIONS: Counter[str] = Counter()
"""Inputs run per fuzz target in this session."""

LONG = os.environ.get("CLEARSIGHT_FUZZ") == "1" or "CLEARSIGHT_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("CLEARSIGHT_FUZZ_EXAMPLES", "170000" if LONG else "2000"))

settings.register_profile(
    "clearsight-fuzz",
    max_examples=EXAMPLES,
    deadline=5000,  # an input taking over 5 s is a hang and fails the target
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    database=None,
    print_blob=True,
)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if EXECUTIONS:
        terminalreporter.write_line(f"fuzz: {sum(EXECUTIONS.values()):,} inputs across {len(EXECUTIONS)} targets: "
                                    + ", ".join(f"{name} {count:,}" for name, count in sorted(EXECUTIONS.items())))

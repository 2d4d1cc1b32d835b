"""Hypothesis settings shared by the fuzz suites (tests/test_fuzz_*.py).

By default every property runs a fixed number of derandomised examples, so CI is
reproducible; BUURTTRAINER_FUZZ_SCALE=N multiplies the examples and draws fresh random ones.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

SCALE = float(os.environ.get("BUURTTRAINER_FUZZ_SCALE") or 1)


def fuzz(examples: int) -> settings:
    """`examples` per property (times BUURTTRAINER_FUZZ_SCALE); fixed examples unless scaled."""
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=None,
        derandomize=SCALE <= 1,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )

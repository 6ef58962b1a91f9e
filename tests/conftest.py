"""Settings every test shares: how much hypothesis explores per property."""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import settings

# `ci`, the default, bounds every property that sets no limits of its own: a fixed number of
# examples, each within a deadline far above its normal cost. `deep` explores more, for a
# local run: HYPOTHESIS_PROFILE=deep python -m pytest tests/test_config.py
settings.register_profile("ci", max_examples=200, deadline=timedelta(seconds=2), print_blob=True)
settings.register_profile("deep", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

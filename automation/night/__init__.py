"""The nightly run, the I/O shell around the plan: observe, plan, budget, apply."""

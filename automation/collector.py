"""CPython's cyclic garbage collector, paused where a step makes many objects and no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Run the block with the cyclic collector off. Loading a roster and planning a night
    make millions of objects and next to no cyclic garbage (what they drop is freed by
    reference counting; the few cycles, such as a template error's traceback, are collected
    after the block): three per YAML node (the node, its start and end marks), the data, the
    models, the plan. The collector's walks over everything alive took 2.0 of the 2.3 s
    that composing 10,000 pairings took, and a sixth of planning their night. The switch is
    the process's: another thread that turns the collector on meanwhile costs only speed.

    What is left when the block ends lives as long as the run: it joins the oldest
    generation at once (`freeze` then `unfreeze` moves every object there without a
    collection). Left in the youngest, the first collections after the pause would walk it
    all again.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:  # no objects frozen by our caller to thaw with ours
            gc.freeze()
            gc.unfreeze()
        gc.enable()

"""How often the command's processes collect cyclic garbage."""
from __future__ import annotations

import gc

YOUNG_OBJECTS = 20_000  # per young-generation collection (Python's default: 700)


def lighter_gc() -> None:
    """Collect cyclic garbage less often: reading a scenario builds tens of thousands of
    objects that all live (imports, pydantic's validators, YAML nodes), and the default
    threshold walks them again and again, about 7% of the loading and the model's run.
    Memory stays bounded (a collection every YOUNG_OBJECTS new containers)."""
    gc.set_threshold(YOUNG_OBJECTS, 10, 10)

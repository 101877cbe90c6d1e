"""Supply and demand: the largest contingent a force can sustain on a deployment, and
the requirements contour. The shape at any size (`shape.py`), the search over sizes and
its statistics (`search.py`), the study (`study.py`), its files (`report.py`)."""
from sim.studies.capacity.shape import scaled_counts, with_size
from sim.studies.capacity.study import Capacity, find_capacity, plan_capacity

__all__ = ["Capacity", "find_capacity", "plan_capacity", "scaled_counts", "with_size"]

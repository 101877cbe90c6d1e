"""Scenario discovery on a sweep store: PRIM boxes and a classification tree
(`discovery.py`), their report (`report.py`)."""

"""Comparison of scenarios or saved reports against the first: the record
(`comparison.py`), its files (`report.py`), the API function (`study.py`)."""

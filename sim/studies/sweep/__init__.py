"""Designed experiments over scenario parameters: sweep files (`spec.py`), designs
(`design.py`, `nolh.py`), their size (`size.py`), the SQLite store (`store.py`), running
(`execute.py`), the analysis (`analysis.py`) and its report (`report.py`), the API
functions (`study.py`)."""

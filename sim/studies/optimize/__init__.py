"""Policy search under chance constraints: policy files (`policy.py`), evaluations on
common random numbers (`evaluate.py`) kept in a resumable store (`store.py`), the search
(`search.py`), its report (`report.py`), the API function (`study.py`)."""

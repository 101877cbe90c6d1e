"""The one execution path: one replication (`engine.py`), tasks on any executor
(`runner.py`), where they run (`executor.py`: this process, a process pool, Dask), and
the work estimate checked before anything runs (`limits.py`)."""

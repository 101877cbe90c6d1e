"""kazsim's version: the one place it is written (`sim.__version__` and the reports read it)."""
__version__ = "0.1.0"

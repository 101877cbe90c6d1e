"""kazsim's version: the one place it is written (`sim.__version__`, the reports and
pyproject.toml's build read it; CHANGELOG.md says what changed in it)."""
__version__ = "0.3.0"

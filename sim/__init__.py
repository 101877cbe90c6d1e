"""kazsim: a discrete-event what-if simulator for a small peacekeeping force."""

__version__ = "0.1.0"

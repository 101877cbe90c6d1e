"""Preloaded by the figure workers' fork server: the drawing code imported and warmed
once, inherited by every worker forked from it."""
from sim.report.draw import warm_up

warm_up()

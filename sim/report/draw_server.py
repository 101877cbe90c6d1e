"""Preloaded by the figure workers' fork server: the drawing code imported and warmed
once, inherited by every worker forked from it (with `lighter_gc`: matplotlib's import
and the figures build many objects that all live until the figure is saved)."""
from sim.core.gc_policy import lighter_gc

lighter_gc()
from sim.report.draw import warm_up  # noqa: E402 - after the collector is set

warm_up()

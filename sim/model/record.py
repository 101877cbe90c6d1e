"""The record one replication's components report into: metrics and series.

Each component reports its own results (`report(results)`); several components may
report the same metric (one per deployment) and `Results` pools them: sums, pooled
means and pooled ratios. Every name must be in the metric catalogue (`sim.core.metrics`),
families included, so a component cannot produce a metric nobody documented.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial

from sim.core.metrics import metric_info, series_info

Value = float | None
_CATALOGUED: set[str] = set()  # series names found in the catalogue (it does not change)


class Results:
    def __init__(self) -> None:
        self._sums: dict[str, float] = {}
        self._means: dict[str, list[float]] = {}   # name -> [total, count]
        self._ratios: dict[str, list[float]] = {}  # name -> [numerator, denominator]
        self._values: dict[str, Value] = {}
        self._defaults: dict[str, Value] = {}
        self._order: list[str] = []

    def declare(self, defaults: dict[str, Value]) -> None:
        """Metrics a kind of component reports, with their value in a replication that
        has none of that kind (0 for a count, None for a mean): every replication of
        every scenario reports the same names."""
        for name, value in defaults.items():
            self._known(name)
            self._defaults[name] = value

    def _known(self, name: str) -> None:
        if metric_info(name) is None:
            raise KeyError(f"metric '{name}' is not in the catalogue (sim/core/metrics.py)")
        if name not in self._order:
            self._order.append(name)

    def add(self, name: str, value: float) -> None:
        """A total: summed over the components that report it."""
        self._known(name)
        self._sums[name] = self._sums.get(name, 0.0) + float(value)

    def mean(self, name: str, total: float, count: float) -> None:
        """A mean pooled over components: each gives the sum and number of its values."""
        self._known(name)
        acc = self._means.setdefault(name, [0.0, 0.0])
        acc[0] += total
        acc[1] += count

    def ratio(self, name: str, numerator: float, denominator: float) -> None:
        """A ratio of pooled totals (None while the denominator is 0)."""
        self._known(name)
        acc = self._ratios.setdefault(name, [0.0, 0.0])
        acc[0] += numerator
        acc[1] += denominator

    def set(self, name: str, value: Value) -> None:
        """A value only one component knows."""
        self._known(name)
        if name in self._values:
            raise KeyError(f"metric '{name}' reported twice")
        self._values[name] = None if value is None else float(value)

    def get(self, name: str) -> Value:
        if name in self._sums:
            return self._sums[name]
        if name in self._means:
            total, count = self._means[name]
            return total / count if count else None
        if name in self._ratios:
            num, den = self._ratios[name]
            return num / den if den else None
        if name in self._values:
            return self._values[name]
        return self._defaults.get(name)

    def metrics(self) -> dict[str, Value]:
        return {name: self.get(name) for name in self._order}


class Recorder:
    """Series sampled at the report's dates. Components register what they can show;
    several providers of one series are combined (summed, or averaged over those that
    have a value)."""

    def __init__(self) -> None:
        self._providers: dict[str, tuple[str, list[Callable[[], Value]]]] = {}
        self.series: dict[str, list[Value]] = {}
        # what `sample` does, worked out at its first call: (column, provider) for a
        # series with one provider, (column, providers, mean?) for the others
        self._plan: list[tuple[list[Value], Callable[[], Value]]
                         | tuple[list[Value], list[Callable[[], Value]], bool]] | None = None

    def track(self, name: str, provider: Callable[[], Value], combine: str = "sum") -> None:
        if name not in _CATALOGUED and series_info(name) is None:
            raise KeyError(f"series '{name}' is not in the catalogue (sim/core/metrics.py)")
        _CATALOGUED.add(name)
        if self._plan is not None:
            raise RuntimeError(f"series '{name}' tracked after sampling began")
        how, providers = self._providers.setdefault(name, (combine, []))
        if how != combine:
            raise ValueError(f"series '{name}' combined both by {how} and {combine}")
        providers.append(provider)

    def track_group(self, names: list[str], provider: Callable[[], list[Value]]) -> None:
        """Several series from one provider (computed once per date)."""
        cache: list[Value] = []

        def first() -> Value:
            cache[:] = provider()
            return cache[0]
        for k, name in enumerate(names):
            self.track(name, first if k == 0 else partial(cache.__getitem__, k))

    def sample(self) -> None:
        if self._plan is None:
            self._plan = []
            for name, (how, providers) in self._providers.items():
                column = self.series.setdefault(name, [])
                self._plan.append((column, providers[0]) if len(providers) == 1
                                  else (column, providers, how == "mean"))
        for entry in self._plan:
            if len(entry) == 2:  # one provider: sum() of one value is 0 + it
                v = entry[1]()
                entry[0].append(None if v is None else float(0 + v))
                continue
            column, providers, mean = entry
            total: float = 0  # as sum() adds: from 0, in order
            count = 0
            for provider in providers:
                v = provider()
                if v is not None:
                    total, count = total + v, count + 1
            column.append(None if not count else float(total / count) if mean else float(total))

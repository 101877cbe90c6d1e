"""The optimize study: read a policy file (the plan step: levers, objectives,
constraints, budget, checked), open or resume its evaluation store, and search."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from sim.core.errors import InputError, Interrupted
from sim.core.version import __version__
from sim.execution.executor import ExecutorError, command_scheduler
from sim.report.atomic import TargetError
from sim.report.provenance import api_command, git_commit
from sim.studies.inputs import Overrides, ProgressCallback, override_texts
from sim.studies.optimize.evaluate import Model
from sim.studies.optimize.policy import LoadedPolicy, load_policy
from sim.studies.optimize.report import (
    headline_html,
    pareto_figure,
    search_figure,
    write_report,
)
from sim.studies.optimize.search import SearchResult, search
from sim.studies.optimize.store import EvaluationStore, StoreError


def default_store(policy_file: str | Path) -> str:
    return str(Path("results") / f"{Path(policy_file).stem}.db")


def open_store(policy: LoadedPolicy, db: str, resume: bool) -> EvaluationStore:
    """The evaluation store at `db`, holding this search. Without `resume`, an existing
    file is refused; with it, a store of another search is. InputError either way."""
    if Path(db).exists() and not resume:
        raise InputError.single(f"{db} already exists: add --resume to continue its search, "
                                "or choose another --out")
    try:
        store = EvaluationStore(db)
    except StoreError as err:
        raise InputError.single(str(err)) from None
    try:
        store.initialise(policy.digest(), {"policy_file": policy.file,
                                           "spec": policy.spec.canonical()})
    except StoreError as err:
        store.close()
        raise InputError.single(f"cannot resume: {err}") from None
    return store


class PolicySearch(SearchResult):
    """A `SearchResult` with its report (`write_report`), a notebook view (the findings
    and the best policy) and its main figure (`plot()`)."""

    def write_report(self, out: str | Path) -> Path:
        """optimize.json, candidates.csv, optimize.md/html and figures/, atomically."""
        try:
            write_report(self, out)
        except TargetError as err:
            raise InputError.single(str(err)) from None
        return Path(out)

    def _repr_html_(self) -> str:
        return headline_html(self)

    def plot(self) -> Any:
        """Every candidate's objective, best and ties marked (the Pareto front for
        several objectives), as a matplotlib Figure."""
        return (pareto_figure(self) if len(self.policy.spec.objectives) > 1
                else search_figure(self))


def optimize(policy_file: str | Path, store: str | Path | None = None, *,
             resume: bool = True, workers: int | None = None, scheduler: str | None = None,
             set: Overrides = None, reps: int | None = None,  # noqa: A002
             seed: int | None = None, model: Model = None,
             progress: ProgressCallback | None = None,
             resume_command: str | None = None, command: str | None = None) -> PolicySearch:
    """Search (or, with `resume`, continue the search in) `store` (default
    results/<policy stem>.db): the lever settings that best meet the objectives under
    the chance constraints, every model replication committed as it finishes.
    `progress(done, budget)` is called after each replication. Raises InputError for a
    bad policy file or a store holding another search (or any existing store when
    `resume` is False); Ctrl-C raises Interrupted naming `resume_command`. `command`:
    how the search was asked for, recorded in its report (default: this call, as
    Python)."""
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    policy = load_policy(policy_file, override_texts(set), reps=reps, seed=seed)
    db = default_store(policy_file) if store is None else str(store)
    provenance = {
        "command": command or api_command("optimize", str(policy_file), store=str(db),
                                          reps=reps, seed=seed, set=set),
        "started": started, "version": __version__, "commit": git_commit(), "store": db,
        "overrides": list(policy.overrides),
        "scenario": {"name": _scenario_name(policy), "file": os.path.normpath(policy.scenario_file),
                     "sha256": policy.scenario_sha256}}
    opened = open_store(policy, db, resume)
    budget = policy.spec.budget
    done = [0]

    def tick() -> None:
        done[0] += 1
        if progress:
            progress(done[0], budget)

    try:
        with command_scheduler(scheduler, workers) as address:
            result = search(policy, opened, model=model, workers=workers,
                            scheduler=address, on_run=tick, result_type=PolicySearch)
            result.provenance = provenance
            return result
    except KeyboardInterrupt as stop:
        raise Interrupted.by(stop, f"{opened.count()} evaluations are stored in {db}.",
                             resume_command) from None
    except ExecutorError as err:
        raise InputError.single(f"{err}\nThe search is recorded in {db}; once fixed, "
                                "continue it with --resume.") from None
    finally:
        opened.close()



def _scenario_name(policy: LoadedPolicy) -> str:
    name = policy.raw.get("name")
    return name if isinstance(name, str) else Path(policy.scenario_file).stem

"""The optimize study: read a policy file (the plan step: levers, objectives,
constraints, budget, checked), open or resume its evaluation store, and search."""
from __future__ import annotations

from pathlib import Path

from sim.core.errors import InputError, Interrupted
from sim.execution.executor import ExecutorError, command_scheduler
from sim.studies.inputs import Overrides, ProgressCallback, override_texts
from sim.studies.optimize.evaluate import Model
from sim.studies.optimize.policy import LoadedPolicy, load_policy
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


def optimize(policy_file: str | Path, store: str | Path | None = None, *,
             resume: bool = True, workers: int | None = None, scheduler: str | None = None,
             set: Overrides = None, reps: int | None = None,  # noqa: A002
             seed: int | None = None, model: Model = None,
             progress: ProgressCallback | None = None,
             resume_command: str | None = None) -> SearchResult:
    """Search (or, with `resume`, continue the search in) `store` (default
    results/<policy stem>.db): the lever settings that best meet the objectives under
    the chance constraints, every model replication committed as it finishes.
    `progress(done, budget)` is called after each replication. Raises InputError for a
    bad policy file or a store holding another search (or any existing store when
    `resume` is False); Ctrl-C raises Interrupted naming `resume_command`."""
    policy = load_policy(policy_file, override_texts(set), reps=reps, seed=seed)
    db = default_store(policy_file) if store is None else str(store)
    opened = open_store(policy, db, resume)
    budget = policy.spec.budget
    done = [0]

    def tick() -> None:
        done[0] += 1
        if progress:
            progress(done[0], budget)

    try:
        with command_scheduler(scheduler, workers) as address:
            return search(policy, opened, model=model, workers=workers, scheduler=address,
                          on_run=tick)
    except KeyboardInterrupt as stop:
        raise Interrupted.by(stop, f"{opened.count()} evaluations are stored in {db}.",
                             resume_command) from None
    except ExecutorError as err:
        raise InputError.single(f"{err}\nThe search is recorded in {db}; once fixed, "
                                "continue it with --resume.") from None
    finally:
        opened.close()


"""Cross-field checks the schema cannot express field by field.

Each check returns Problems with a dotted key path (list items by name) and no file
or line: the loader places them. Errors stop the run; warnings are printed and the
run goes ahead (an unfillable slot is then reported unfilled).
"""
from __future__ import annotations

from collections.abc import Iterator

from sim.core.errors import Problem
from sim.core.metrics import metric_info, unknown_metric
from sim.core.thresholds import parse_threshold
from sim.scenario.paths import PathError, copy_data, get_path, set_path
from sim.scenario.problems import dotted, grouped, key_path
from sim.scenario.schema import GRADES, Scenario
from sim.scenario.timeline import accepts, canonical, relation, timeline_paths


def check(scenario: Scenario) -> list[Problem]:
    """Every cross-field problem of a validated scenario, errors and warnings."""
    found: list[Problem] = []
    for rule in (_dates, _deployments, _courses, _promotion_cycles, _growth, _costs,
                 _slots, _timeline, _thresholds, _assistance, _budget, _expectations):
        found.extend(rule(scenario))
    return found


def error(path: str, message: str) -> Problem:
    return Problem(None, None, path, message)


def warning(path: str, message: str) -> Problem:
    return Problem(None, None, path, message, severity="warning")


def obtainable(scenario: Scenario) -> set[str]:
    """Qualifications someone holds at the start or some course grants."""
    held = {q for q, shares in scenario.force.qualified.items()
            if any(getattr(shares, g) > 0 for g in GRADES)}
    return held | {c.grants for c in scenario.training.courses.values() if c.grants}


def _dates(sc: Scenario) -> Iterator[Problem]:
    if sc.end <= sc.start:
        yield error("end", f"expected a date after start ({sc.start}), found {sc.end}")
    r = sc.restructure
    if r is not None:
        if r.by <= sc.start:
            yield error("restructure.by", f"expected a date after start ({sc.start}), found {r.by}")
        if r.begin is not None and r.begin >= r.by:
            yield error("restructure.begin", f"expected a date before restructure.by ({r.by}), found {r.begin}")


def _deployments(sc: Scenario) -> Iterator[Problem]:
    for d in sc.deployments:
        at = f"deployments.{d.name}"
        if d.end <= d.start:
            yield error(f"{at}.end", f"expected a date after the deployment's start ({d.start}), found {d.end}")
        if d.select_days < d.predeployment_days:
            yield error(f"{at}.select_days", f"expected at least predeployment_days "
                        f"({d.predeployment_days:g}): selection comes before pre-deployment training, "
                        f"found {d.select_days:g}")
        if d.overlap_days >= d.tour_days:
            yield error(f"{at}.overlap_days", f"expected fewer days than tour_days ({d.tour_days:g}): "
                        f"a rotation must arrive after the one before it, found {d.overlap_days:g}")


def _courses(sc: Scenario) -> Iterator[Problem]:
    have = obtainable(sc)
    for name, c in sc.training.courses.items():
        at = f"training.courses.{name}"
        if (c.grants is None) == (c.promotes_to is None):
            both = "both" if c.grants else "neither"
            yield error(at, f"a course either grants a qualification or promotes to a grade, found {both}")
        for i, q in enumerate(c.requires):
            if q not in have:
                yield error(f"{at}.requires.{i}", f"prerequisite '{q}' can never be met: nobody holds it "
                            "at the start (force.qualified) and no course grants it")
        if c.first_at is not None and c.until is not None and c.until < c.first_at:
            yield error(f"{at}.until", f"expected a date on or after first_at ({c.first_at}), found {c.until}")


def _promotion_cycles(sc: Scenario) -> Iterator[Problem]:
    """Grades form a graph (eligible grade -> promoted grade); a cycle would promote
    people round for ever."""
    edges: set[tuple[str, str, str]] = {
        (g, c.promotes_to, name) for name, c in sc.training.courses.items()
        if c.promotes_to for g in c.eligible}
    reported: set[frozenset[str]] = set()
    for start in GRADES:
        for cycle in _cycles_from(start, edges):
            courses = frozenset(name for _, _, name in cycle)
            if courses in reported:
                continue
            reported.add(courses)
            chain = " -> ".join([cycle[0][0], *(f"{b} ({name})" for _, b, name in cycle)])
            last = cycle[-1][2]
            yield error(f"training.courses.{last}.promotes_to", f"promotion cycle: {chain}")


def _cycles_from(start: str, edges: set[tuple[str, str, str]]) -> Iterator[list[tuple[str, str, str]]]:
    stack: list[tuple[str, list[tuple[str, str, str]]]] = [(start, [])]
    while stack:
        grade, trail = stack.pop()
        for edge in sorted(e for e in edges if e[0] == grade):
            if edge[1] == start:
                yield [*trail, edge]
            elif all(edge[1] != t[0] for t in trail) and edge[1] > start:
                stack.append((edge[1], [*trail, edge]))


def _growth(sc: Scenario) -> Iterator[Problem]:
    for i, step in enumerate(sc.growth):
        if step.at < sc.start:
            yield error(f"growth.{i}.at", f"expected a date on or after start ({sc.start}), found {step.at}")
        elif step.at > sc.end:
            yield warning(f"growth.{i}.at", f"after the scenario's end ({sc.end}): this step never happens")


def _costs(sc: Scenario) -> Iterator[Problem]:
    courses = sorted(sc.training.courses)
    for name in sc.costs.course_seat:
        if name not in sc.training.courses:
            yield error(f"costs.course_seat.{name}",
                        f"expected the name of a course ({', '.join(courses) or 'none defined'}), found '{name}'")


def _slots(sc: Scenario) -> Iterator[Problem]:
    have = obtainable(sc)
    for d in sc.deployments:
        leaders = {"officer"} | ({"nco"} if d.theatre.doctrine.leaders == "nco" else set())
        for i, slot in enumerate(d.contingent):
            at = f"deployments.{d.name}.contingent.{i}"
            for q in slot.requires:
                if q not in have:
                    yield warning(f"{at}.requires", f"slot '{slot.role}' of deployment '{d.name}' needs '{q}', "
                                  "which nobody holds at the start and no course grants: it will stay unfilled")
            if slot.role == "team_leader" and slot.count and not leaders & set(slot.grades):
                yield warning(f"{at}.grade", f"slot 'team_leader' of deployment '{d.name}' is filled by "
                              f"{'/'.join(slot.grades)}, who may not lead teams under doctrine.leaders: "
                              f"{d.theatre.doctrine.leaders}; no teams will form")


def _timeline(sc: Scenario) -> Iterator[Problem]:
    """Each entry before the end; each `set` path a real key that the model can change
    during a run (`kazsim schema --timeline-paths`); each change one that can still take
    effect on its date; and every state the timeline leads to (entries applied in date
    order) still a valid scenario."""
    from pydantic import ValidationError


    if not sc.timeline:
        return  # nothing to check, and no need to import the model to learn its paths
    patterns = timeline_paths()
    state = sc.data()
    state["timeline"] = []  # each trial state without the entries: linear, not quadratic
    order = sorted(range(len(sc.timeline)), key=lambda i: sc.timeline[i].at)
    for i in order:
        entry = sc.timeline[i]
        at = f"timeline.{i}"
        if sc.start < sc.end and entry.at > sc.end:
            yield error(f"{at}.at", f"expected a date on or before the scenario's end ({sc.end}), found {entry.at}")
        trial = copy_data(state)
        bad = False
        for path, value in entry.set.items():
            try:
                get_path(trial, path)
                set_path(trial, path, value, create=False)
            except PathError as err:
                bad = True
                yield error(f"{at}.set.{path}", f"no such key in the scenario ({err.where})")
                continue
            if not accepts(state, path, value, patterns):
                bad = True
                yield error(f"{at}.set.{path}", "cannot change during a run (the paths that can: "
                            "`kazsim schema --timeline-paths`)")
                continue
            for text in _too_late(sc, state, canonical(state, path), value, entry.at):
                bad = True
                yield error(f"{at}.set.{path}", text)
        if bad:
            continue
        try:
            after = Scenario.model_validate(trial)
        except ValidationError as err:
            targets = {path: _keys_or_none(trial, path) for path in entry.set}
            for keys, text in grouped(err, Scenario, trial):
                target = next((p for p, k in targets.items() if k is not None and keys[:len(k)] == k), None)
                yield error(f"{at}.set.{target}" if target else f"{at}.set",
                            f"after this change, {dotted(trial, keys)}: {text}")
            continue
        broken = [p for rule in (_dates, _deployments, _courses, _promotion_cycles, _costs)
                  for p in rule(after) if p.severity == "error"]
        for p in broken:
            yield error(f"{at}.set", f"after this change, {p.path}: {p.message}")
        if not broken:
            state = trial


def _too_late(sc: Scenario, state: dict, path: str, value: object, when: object) -> Iterator[str]:
    """Why a change dated `when` could no longer take effect then (nothing if it can).
    Changes dated on or before the start are part of the initial input."""
    import datetime as dt


    if not isinstance(when, dt.date) or when <= sc.start:
        return
    parts = path.split(".")
    if parts[0] == "deployments" and len(parts) > 2:
        d = next((x for x in state["deployments"] if x.get("name") == parts[1]), None)
        if d is None:
            return
        end = dt.date.fromisoformat(str(d["end"]))
        start = dt.date.fromisoformat(str(d["start"]))
        if when >= end:
            yield (f"deployment '{parts[1]}' has ended by then ({end}): this change would have no effect")
            return
        if parts[2] == "start":
            call_up = max(start - dt.timedelta(days=float(d["select_days"])), sc.start)
            if when >= call_up:
                yield (f"deployment '{parts[1]}' has been called up by then (first call-up {call_up}): "
                       "its start can no longer change")
        if parts[2] == "end" and isinstance(value, (str, dt.date)):
            try:
                new = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
            except ValueError:
                return  # the schema reports a bad date
            if new < when:
                yield f"expected an end on or after this change's own date ({when}), found {new}"
    elif relation("force.establishment", path) is not None and state.get("growth"):
        first = min(dt.date.fromisoformat(str(g["at"])) for g in state["growth"])
        if when >= first:
            yield (f"the establishment is set by growth steps from {first} on: "
                   "change it with a growth step instead")


def _keys_or_none(data: dict, path: str) -> tuple | None:
    try:
        return key_path(data, path)
    except (PathError, StopIteration):
        return None


def _thresholds(sc: Scenario) -> Iterator[Problem]:
    for i, text in enumerate(sc.thresholds):
        try:
            metric = parse_threshold(text).metric
        except ValueError as e:
            yield error(f"thresholds.{i}", str(e))
            continue
        if metric_info(metric) is None:
            yield error(f"thresholds.{i}", unknown_metric(metric))


def _assistance(sc: Scenario) -> Iterator[Problem]:
    """Interoperability parts, exercises and assistance programmes name what exists."""
    weights = sc.interoperability.weights
    if not any(getattr(weights, k) > 0 for k in ("people", "equipment", "exercises")):
        yield error("interoperability.weights", "expected at least one weight above 0")
    # a weight on a part the scenario does not define would be left out of the index unseen
    if weights.equipment > 0 and sc.equipment.sets == 0:
        yield warning("interoperability.weights.equipment", "equipment.sets is 0: there is no "
                      "equipment part, so this weight is left out of the index")
    if weights.exercises > 0 and not sc.exercises:
        yield warning("interoperability.weights.exercises", "no exercises are defined: there is "
                      "no exercises part, so this weight is left out of the index")
    for name, ex in sc.exercises.items():
        if ex.until is not None and ex.until < ex.at:
            yield error(f"exercises.{name}.until", f"expected a date on or after at ({ex.at}), found {ex.until}")
    courses, deployments = sorted(sc.training.courses), sorted(d.name for d in sc.deployments)

    def named(path: str, kind: str, value: str, known: list[str]) -> Iterator[Problem]:
        if value not in known:
            yield error(path, f"expected the name of {kind} ({', '.join(known) or 'none defined'}), found '{value}'")
    for name, p in sc.assistance.items():
        at = f"assistance.{name}"
        if p.end <= p.start:
            yield error(f"{at}.end", f"expected a date after the programme's start ({p.start}), found {p.end}")
        for i, seat in enumerate(p.seats):
            yield from named(f"{at}.seats.{i}.course", "a course", seat.course, courses)
        for i, team in enumerate(p.teams):
            yield from named(f"{at}.teams.{i}.course", "a course", team.course, courses)
        for i, v in enumerate(p.vehicles):
            yield from named(f"{at}.vehicles.{i}.deployment", "a deployment", v.deployment, deployments)
        for i, paid in enumerate(p.exercises):
            yield from named(f"{at}.exercises.{i}.exercise", "an exercise", paid.exercise, sorted(sc.exercises))
        if p.equipment is not None and sc.equipment.sets == 0:
            yield warning(f"{at}.equipment", "equipment.sets is 0: no kit is needed, so none is bought")


def _expectations(sc: Scenario) -> Iterator[Problem]:
    """An expectation names a catalogued metric (an error otherwise). Whether its change
    applies to this scenario is a warning here (an override or a child scenario may
    change what it addresses, and only `verify` uses it); `verify` refuses one that
    does not apply."""
    for i, exp in enumerate(sc.expectations):
        if metric_info(exp.metric) is None:
            yield error(f"expectations.{i}.metric", f"unknown metric '{exp.metric}' (see the metric names in the README)")
    for p in expectation_problems(sc):
        yield warning(p.path, p.message + " (verify refuses it)")


def expectation_problems(sc: Scenario) -> list[Problem]:
    """Why each expectation's change cannot be applied to `sc`: a path it lacks, or a
    value that makes an invalid scenario (errors, unplaced)."""
    from pydantic import ValidationError

    found: list[Problem] = []
    if not sc.expectations:
        return found
    base = sc.data()
    base["expectations"] = []
    for i, exp in enumerate(sc.expectations):
        at = f"expectations.{i}"
        trial, bad = copy_data(base), False
        for path, value in exp.set.items():
            try:
                get_path(trial, path)
                set_path(trial, path, value, create=False)
            except PathError as err:
                bad = True
                found.append(error(f"{at}.set.{path}", f"no such key in the scenario ({err.reason} at '{err.at}')"))
        if bad:
            continue
        try:
            after = Scenario.model_validate(trial)
        except ValidationError as err:
            found += [error(f"{at}.set", f"after this change, {dotted(trial, keys)}: {text}")
                      for keys, text in grouped(err, Scenario, trial)]
            continue
        found += [error(f"{at}.set", f"after this change, {p.path}: {p.message}")
                  for rule in (_dates, _deployments, _courses, _promotion_cycles, _costs)
                  for p in rule(after) if p.severity == "error"]
    return found


def _budget(sc: Scenario) -> Iterator[Problem]:
    """A personnel budget pays what the costs charge for people; if they charge nothing
    it can never stop an intake."""
    if sc.force.budget is None:
        return
    rates = sc.costs.person_day
    if not any(getattr(r, g) > 0 for r in (rates.home, rates.deployed) for g in GRADES):
        yield warning("force.budget", "costs.person_day charges nothing for people: the budget "
                      "pays nothing and never limits intake (set costs.person_day)")

"""Draws made cheaper must be the same draws (sim/model/draws.py): a replication's
numbers do not depend on how its random numbers are fetched."""
from __future__ import annotations

import numpy as np
import pytest

from sim.model.draws import Ahead, sampler
from sim.model.people import People
from sim.scenario.dists import Constant, Exponential, Lognormal, Poisson, Triangular, Uniform

DISTS = [Lognormal(mean=1.5, sd=1.0), Lognormal(median=2500, sigma=1.5), Exponential(mean=7),
         Constant(value=3), Uniform(low=1, high=3), Triangular(low=0, mode=1, high=4), Poisson(mean=2)]


@pytest.mark.parametrize("dist", DISTS, ids=repr)
def test_a_sampler_draws_what_the_distribution_draws(dist):
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    draw = sampler(dist, b)
    assert [dist.sample(a) for _ in range(500)] == [draw() for _ in range(500)]
    assert a.random() == b.random()  # and leaves the generator in the same place


@pytest.mark.parametrize("switch", [0.0, 0.03, 0.5, 1.0])
def test_draws_ahead_are_the_one_at_a_time_draws_in_any_mix(switch):
    """Blocks of one kind of variate drawn ahead give the numbers one-at-a-time calls
    give, in order, however the kinds (and other distributions) are mixed; afterwards the
    generator is where one-at-a-time calls would have left it."""
    kinds = np.random.default_rng(3).integers(0, 6, 3000)
    mixes = np.random.default_rng(4).random(3000) < switch
    direct, ahead = np.random.default_rng(11), Ahead(np.random.default_rng(11))
    uniform = sampler(Uniform(low=1, high=3), ahead)
    got, want = [], []
    for kind, mix in zip(kinds.tolist(), mixes.tolist()):
        kind = kind if mix else kind % 2
        if kind == 0:
            want.append(direct.exponential(2.5)), got.append(ahead.exponential(2.5))
        elif kind == 1:
            want.append(direct.lognormal(1.0, 0.7)), got.append(ahead.lognormal(1.0, 0.7))
        elif kind == 2:
            want.append(direct.random()), got.append(ahead.random())
        elif kind == 3:
            want.append(Uniform(low=1, high=3).sample(direct)), got.append(uniform())
        elif kind == 4:
            want.append(direct.exponential()), got.append(ahead.exponential())
        else:
            want.append(direct.lognormal(-2.0, 0.1)), got.append(ahead.lognormal(-2.0, 0.1))
    assert got == want
    ahead.sync()
    assert direct.random() == ahead.rng.random()


def test_qualifications_change_only_through_grant_and_are_journalled():
    people = People(lambda: 0.0, 8)
    ids = people.add(2, 5, joined=0.0, contract_end=100.0)
    mark = people.journal()
    with pytest.raises(ValueError, match="read-only"):
        people.qual("eod")[ids[:2]] = np.inf
    people.grant("eod", ids[[3, 1]], np.inf)
    people.grant("water", ids[[1]], 50.0)
    assert people.holds("eod", 10.0).tolist() == [False, True, False, True, False]
    assert people.changed_since(mark).tolist() == [1, 3]
    assert people.expiring == {"water"}
    people.add(0, 3, joined=0.0, contract_end=100.0)  # the store grows past its capacity
    assert people.holds("water", 10.0).tolist() == [False, True, False, False, False, False, False, False]
    assert people.changed_since(mark).tolist() == [1, 3, 5, 6, 7]

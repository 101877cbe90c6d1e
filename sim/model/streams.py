"""Random streams of one replication, one per subsystem.

Replication `i` of seed `s` draws subsystem `k` from `SeedSequence(s, spawn_key=(i, k, j))`
where `j` tells apart instances (a deployment, a course) by a stable hash of their name.
Keying by subsystem, not by order of use, gives common random numbers: a change in one
part of a scenario leaves the draws of every other part as they were.
"""
from __future__ import annotations

import zlib

import numpy as np

SUBSYSTEMS = {
    "initial_force": 1, "recruits": 2, "attrition": 3, "contracts": 4, "courses": 5,
    "selection": 6, "volunteers": 7, "tips": 8, "caches": 9, "approvals": 10,
    "vehicles": 11, "incidents": 12, "routine": 13, "casualties": 14, "dropouts": 15,
    "release": 16, "exercises": 17,
    # theatre over time / tempo / harmony
    "security": 18, "hostile": 19, "skills": 20, "medical": 21,
    # force supply (applicants are drawn on "recruits")
    "enlistment": 22, "basic_training": 23,
}


def stable_id(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    def __init__(self, seed: int, index: int):
        self.seed, self.index = int(seed), int(index)
        self._cache: dict[tuple[str, str], np.random.Generator] = {}

    def get(self, subsystem: str, instance: str = "") -> np.random.Generator:
        key = (subsystem, instance)
        rng = self._cache.get(key)
        if rng is None:
            spawn = (self.index, SUBSYSTEMS[subsystem], stable_id(instance))
            rng = np.random.Generator(np.random.PCG64(
                np.random.SeedSequence(self.seed, spawn_key=spawn)))
            self._cache[key] = rng
        return rng

"""Distributions written in scenarios as `{dist: NAME, ...}` or a bare number.

Each is a small immutable object with `sample(rng)`, an analytic `mean` and a readable
repr, so reports can say `Lognormal(median=300, sigma=2.2)`.
"""
from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)


class _Dist(BaseModel):
    """Every parameter finite; every distribution here yields values >= 0 (durations,
    counts and sizes: a negative one fails at validation, naming its key)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    def sample(self, rng: np.random.Generator) -> float:
        raise NotImplementedError

    @property
    def mean(self) -> float:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in self.model_dump(exclude={"dist"},
                                                                   exclude_none=True).items())
        return f"{type(self).__name__}({args})"

    __str__ = __repr__


class Constant(_Dist):
    dist: Literal["constant"] = "constant"
    value: float = Field(ge=0)

    def sample(self, rng: np.random.Generator) -> float:
        return self.value

    @property
    def mean(self) -> float:
        return self.value


class Lognormal(_Dist):
    """Either `mean`/`sd` (of the variable itself) or `median`/`sigma` (of its log)."""

    dist: Literal["lognormal"] = "lognormal"
    mean_: float | None = Field(None, alias="mean", gt=0)
    sd: float | None = Field(None, ge=0)
    median: float | None = Field(None, gt=0)
    sigma: float | None = Field(None, ge=0)
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_form(self) -> Lognormal:
        by_moments = self.mean_ is not None and self.sd is not None
        by_log = self.median is not None and self.sigma is not None
        if by_moments == by_log:
            raise ValueError("lognormal needs either mean and sd, or median and sigma")
        try:
            finite = math.isfinite(self.mean)
        except (OverflowError, ValueError):
            finite = False
        if not finite:
            raise ValueError(f"{self!r} has no finite mean: its spread is too large")
        return self

    @property
    def mu_sigma(self) -> tuple[float, float]:
        if self.median is not None and self.sigma is not None:
            return math.log(self.median), self.sigma
        m, s = float(self.mean_ or 0), float(self.sd or 0)
        s2 = math.log(1 + (s / m) ** 2)
        return math.log(m) - s2 / 2, math.sqrt(s2)

    def sample(self, rng: np.random.Generator) -> float:
        mu, sigma = self.mu_sigma
        return float(rng.lognormal(mu, sigma))

    @property
    def mean(self) -> float:
        mu, sigma = self.mu_sigma
        return math.exp(mu + sigma**2 / 2)

    def __repr__(self) -> str:
        if self.median is not None:
            return f"Lognormal(median={self.median:g}, sigma={self.sigma:g})"
        return f"Lognormal(mean={self.mean_:g}, sd={self.sd:g})"

    __str__ = __repr__


class Exponential(_Dist):
    dist: Literal["exponential"] = "exponential"
    mean_: float = Field(alias="mean", gt=0)
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              allow_inf_nan=False)

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.exponential(self.mean_))

    @property
    def mean(self) -> float:
        return self.mean_

    def __repr__(self) -> str:
        return f"Exponential(mean={self.mean_:g})"

    __str__ = __repr__


class Uniform(_Dist):
    dist: Literal["uniform"] = "uniform"
    low: float = Field(ge=0)
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"uniform needs low <= high, found low={self.low} high={self.high}")
        return self

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2


class Triangular(_Dist):
    dist: Literal["triangular"] = "triangular"
    low: float = Field(ge=0)
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError("triangular needs low <= mode <= high and low < high")
        return self

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.triangular(self.low, self.mode, self.high))

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3


class Poisson(_Dist):
    dist: Literal["poisson"] = "poisson"
    mean_: float = Field(alias="mean", ge=0, le=1e18, description="numpy draws up to about 9e18")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              allow_inf_nan=False)

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.poisson(self.mean_))

    @property
    def mean(self) -> float:
        return self.mean_

    def __repr__(self) -> str:
        return f"Poisson(mean={self.mean_:g})"

    __str__ = __repr__


def _tag(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("dist", "missing"))
    if isinstance(value, _Dist):
        return str(value.dist)  # type: ignore[attr-defined]
    return "invalid"


def _number(value: Any) -> Any:
    """A bare number means a constant."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"dist": "constant", "value": value}
    return value


Dist = Annotated[
    Annotated[Constant, Tag("constant")]
    | Annotated[Lognormal, Tag("lognormal")]
    | Annotated[Exponential, Tag("exponential")]
    | Annotated[Uniform, Tag("uniform")]
    | Annotated[Triangular, Tag("triangular")]
    | Annotated[Poisson, Tag("poisson")],
    Discriminator(_tag, custom_error_type="distribution",
                  custom_error_message="expected a number or {dist: constant|lognormal|exponential|uniform|triangular|poisson, ...}"),
    BeforeValidator(_number),
]

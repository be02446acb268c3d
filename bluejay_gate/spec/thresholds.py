"""The threshold language: ``AGGREGATE OP NUMBER[%]``, parsed once into typed checks.

Pure: no I/O. ``parse_expression`` raises ``ValueError`` with a message that says what
is wrong and what is allowed; the spec loader adds file and line (``checks`` builds each
located ``Check``).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any


class Aggregate(StrEnum):
    MEAN = "mean"
    MEDIAN = "median"
    MIN = "min"
    MAX = "max"
    PERCENTILE = "pNN"  # the NN lives in Check.percentile
    RATE = "rate"  # share of true among applicable samples (alias: pass_rate)
    FAIL_RATE = "fail_rate"
    COUNT = "count"
    FAIL_COUNT = "fail_count"
    SHARE = "share"  # share(VALUE): the VALUE lives in Check.share_value
    VALUE = "value"  # the run-level number itself (``score``)
    PASSES = "passes"  # number of true samples; only in ``each_digital_human`` rules


# Aggregates over numbers.
NUMERIC_AGGREGATES = frozenset(
    {Aggregate.MEAN, Aggregate.MEDIAN, Aggregate.MIN, Aggregate.MAX, Aggregate.PERCENTILE}
)
# Aggregates ``confidence`` applies to (Wilson interval for the rates, Student t for mean).
CONFIDENCE_AGGREGATES = frozenset(
    {Aggregate.RATE, Aggregate.FAIL_RATE, Aggregate.SHARE, Aggregate.MEAN}
)
CONFIDENCE_WORDS = "rate/pass_rate, fail_rate, share(VALUE) and mean"
# Aggregates an ``each_digital_human`` rule may use, over each digital human's samples.
EACH_AGGREGATES = frozenset(
    {Aggregate.PASSES, Aggregate.RATE, Aggregate.FAIL_RATE, Aggregate.FAIL_COUNT}
)
EACH_WORDS = "passes, rate/pass_rate, fail_rate and fail_count"
# Aggregates ``delta(AGG)`` compares with the baseline's (``earlier.baseline``); with
# ``confidence``: Newcombe's interval for the rates, Welch's for mean (none for median).
DELTA_AGGREGATES = frozenset(
    {Aggregate.RATE, Aggregate.FAIL_RATE, Aggregate.SHARE, Aggregate.MEAN, Aggregate.MEDIAN}
)
DELTA_WORDS = "rate/pass_rate, fail_rate, share(VALUE), mean and median"


class Op(StrEnum):
    GE = ">="
    GT = ">"
    LE = "<="
    LT = "<"
    EQ = "=="
    NE = "!="

    def holds(self, observed: float | Fraction, threshold: float | Fraction) -> bool:
        """``observed OP threshold``, exactly as the numbers are: the gate passes exact
        values (``Fraction``) here, so a score printed as 58 equals a threshold of 58."""
        return _OPS[self](observed, threshold)


_OPS: dict[Op, Callable[[Any, Any], bool]] = {
    Op.GE: operator.ge,
    Op.GT: operator.gt,
    Op.LE: operator.le,
    Op.LT: operator.lt,
    Op.EQ: operator.eq,
    Op.NE: operator.ne,
}


def _to_float(exact: Fraction) -> float:
    try:
        return float(exact)
    except OverflowError:
        return math.inf if exact > 0 else -math.inf


def _same(exact: Fraction, threshold: float) -> bool:
    try:
        return float(exact) == threshold
    except OverflowError:
        return math.isinf(threshold)


class Severity(StrEnum):
    ERROR = "error"
    WARN = "warn"


@dataclass(frozen=True, slots=True)
class Check:
    """One threshold on one metric, e.g. ``Empathy: mean >= 7``."""

    metric: str
    aggregate: Aggregate
    op: Op
    threshold: float  # already divided by 100 when written with %
    expression: str  # as written, for reports: "pass_rate >= 90%"
    percent: bool = False  # written with %: show observed values as percentages
    percentile: int | None = None  # for Aggregate.PERCENTILE
    share_value: str | None = None  # for Aggregate.SHARE
    severity: Severity = Severity.ERROR
    min_samples: int | None = None
    line: int | None = None  # line of this check in the spec file
    confidence: float | None = None  # two-sided confidence level, e.g. 0.95 (stats.py)
    # an ``each_digital_human`` rule: every digital human's own samples must meet it
    per_digital_human: bool = False
    # the threshold exactly as written (from its text; already divided by 100 for %):
    # what the point comparison uses, so "value >= 58" holds for 29 of 50 passed
    exact: Fraction | None = None
    # ``delta(AGG)``: this run's AGG minus the baseline's is compared with the threshold
    delta: bool = False

    def __post_init__(self) -> None:
        if self.exact is not None and not _same(self.exact, self.threshold):
            raise ValueError(f"exact threshold {self.exact} does not match {self.threshold!r}")

    @property
    def exact_threshold(self) -> Fraction | float:
        """``exact``, or (a check built without it) the threshold's shortest decimal."""
        if self.exact is not None:
            return self.exact
        if math.isfinite(self.threshold):
            return Fraction(repr(self.threshold))
        return self.threshold

    @property
    def label(self) -> str:
        """``"Empathy: mean >= 7"`` — the test case name."""
        if self.per_digital_human:
            return f"{self.metric}: each digital human {self.expression}"
        return f"{self.metric}: {self.expression}"


@dataclass(frozen=True, slots=True)
class ParsedExpression:
    aggregate: Aggregate
    op: Op
    threshold: float
    percent: bool
    percentile: int | None
    share_value: str | None
    text: str
    exact: Fraction | None = None  # the threshold from its text, divided by 100 for %
    delta: bool = False  # ``delta(AGG)``: the change from the baseline


_EXPR = re.compile(
    r"""^\s*
    (?P<agg>[A-Za-z_][A-Za-z0-9_]*)
    (?:\(\s*(?P<arg>[^()]*?)\s*\))?
    \s*(?P<op>>=|<=|==|!=|>|<)\s*
    (?P<num>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)
    \s*(?P<pct>%)?\s*$""",
    re.VERBOSE,
)
_PERCENTILE = re.compile(r"^p(\d{1,3}(?:\.\d+)?)$")
_SIMPLE = {
    "mean": Aggregate.MEAN,
    "median": Aggregate.MEDIAN,
    "min": Aggregate.MIN,
    "max": Aggregate.MAX,
    "rate": Aggregate.RATE,
    "pass_rate": Aggregate.RATE,
    "fail_rate": Aggregate.FAIL_RATE,
    "count": Aggregate.COUNT,
    "fail_count": Aggregate.FAIL_COUNT,
    "value": Aggregate.VALUE,
}
AGGREGATE_NAMES = (*_SIMPLE, "pNN", "share(VALUE)", "delta(AGG)")
_HELP = (
    "expected AGGREGATE OP NUMBER[%], e.g. 'pass_rate >= 90%' or 'p95 <= 1500'; "
    f"aggregates: {', '.join(AGGREGATE_NAMES)}; operators: >=, >, <=, <, ==, !="
)


_EACH_HELP = (
    "expected AGGREGATE OP NUMBER[%] over each digital human's conversations, e.g. "
    f"'passes >= 2' or 'pass_rate >= 66%'; aggregates: {EACH_WORDS}"
)


def parse_each(text: str) -> ParsedExpression:
    """Parse an ``each_digital_human`` rule such as ``"passes >= 2"``."""
    m = _EXPR.match(text)
    if m and m["agg"].lower() == "passes" and m["arg"] is None:
        parsed = parse_expression(_EXPR_PASSES.sub("count", text, count=1))
        if parsed.percent:
            raise ValueError(f"{text!r}: `passes` is a number of conversations; % does not apply")
        return ParsedExpression(
            Aggregate.PASSES,
            parsed.op,
            parsed.threshold,
            False,
            None,
            None,
            " ".join(text.split()),
            exact=parsed.exact,
        )
    if not m and not _DELTA.match(text):
        raise ValueError(f"cannot read rule {text!r}: {_EACH_HELP}")
    parsed = parse_expression(text)
    if parsed.aggregate not in EACH_AGGREGATES or parsed.delta:
        raise ValueError(f"{text!r} cannot be a per-digital-human rule: {_EACH_HELP}")
    return parsed


_EXPR_PASSES = re.compile(r"passes", re.IGNORECASE)


_DELTA = re.compile(
    r"^\s*delta\s*\(\s*(?P<inner>.*?)\s*\)\s*(?P<rest>(?:>=|<=|==|!=|>|<).*)$", re.I
)
_DELTA_HELP = (
    "write delta(AGGREGATE) OP NUMBER[%] with AGGREGATE one of "
    f"{DELTA_WORDS}, e.g. 'delta(pass_rate) >= -5%' or 'delta(mean) >= -0.5'"
)


def _parse_delta(text: str, inner: str, rest: str) -> ParsedExpression:
    """``delta(pass_rate) >= -5%``: the inner aggregate, compared as a change."""
    if not inner:
        raise ValueError(f"cannot read threshold {text!r}: {_DELTA_HELP}")
    try:
        parsed = parse_expression(f"{inner} {rest}")
    except ValueError:
        raise ValueError(f"cannot read threshold {text!r}: {_DELTA_HELP}") from None
    if parsed.delta or parsed.aggregate not in DELTA_AGGREGATES:
        raise ValueError(f"{text!r}: delta applies to {DELTA_WORDS}, not {inner!r}: {_DELTA_HELP}")
    return ParsedExpression(
        parsed.aggregate,
        parsed.op,
        parsed.threshold,
        parsed.percent,
        parsed.percentile,
        parsed.share_value,
        " ".join(text.split()),
        exact=parsed.exact,
        delta=True,
    )


def parse_expression(text: str) -> ParsedExpression:
    """Parse ``"pass_rate >= 90%"``. Raises ``ValueError`` saying what is wrong."""
    if d := _DELTA.match(text):
        return _parse_delta(text, d["inner"], d["rest"])
    m = _EXPR.match(text)
    if not m:
        raise ValueError(f"cannot read threshold {text!r}: {_HELP}")
    name = m["agg"].lower()
    arg = m["arg"]
    percentile: int | None = None
    share_value: str | None = None
    if name == "share":
        if arg is None or not arg.strip().strip("'\""):
            raise ValueError(
                f"cannot read threshold {text!r}: share needs a value, e.g. share(resolved)"
            )
        share_value = arg.strip().strip("'\"")
        aggregate = Aggregate.SHARE
    elif arg is not None:
        raise ValueError(f"cannot read threshold {text!r}: only share(VALUE) takes an argument")
    elif name in _SIMPLE:
        aggregate = _SIMPLE[name]
    elif pm := _PERCENTILE.match(name):
        value = float(pm[1])
        if not value.is_integer() or not 1 <= value <= 100:
            raise ValueError(f"cannot read threshold {text!r}: percentiles go from p1 to p100")
        percentile = int(value)
        aggregate = Aggregate.PERCENTILE
    else:
        raise ValueError(f"unknown aggregate {m['agg']!r} in {text!r}: {_HELP}")
    number = float(m["num"])
    exact = Fraction(m["num"])  # the text, not the float: 0.58 is 29/50, not 0.57999...
    percent = m["pct"] is not None
    if percent:
        exact /= 100
        number = _to_float(exact)  # correctly rounded: 0.7% is 0.007, not 0.7 / 100
    return ParsedExpression(
        aggregate=aggregate,
        op=Op(m["op"]),
        threshold=number,
        percent=percent,
        percentile=percentile,
        share_value=share_value,
        text=" ".join(text.split()),
        exact=exact,
    )

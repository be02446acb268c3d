"""Threshold entries of a validated spec -> located ``Check`` objects, with their rules.

Owns the checks that need more than the grammar: expressions that parse but cannot mean
what they say (``mean`` on ``score``, a rate above 100%, % on a count), ``confidence``
where no interval applies, and ``run.confidence`` applied to the checks that support it.
Each problem is added to the caller's list with its line; the bad check is dropped.
Pure: works on the validated model and the YAML positions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bluejay_gate.spec.messages import Problem
from bluejay_gate.spec.threshold_model import CheckModel
from bluejay_gate.spec.thresholds import (
    CONFIDENCE_AGGREGATES,
    CONFIDENCE_WORDS,
    Aggregate,
    Check,
    Op,
    ParsedExpression,
    Severity,
    parse_each,
    parse_expression,
)
from bluejay_gate.spec.yamlpos import Located
from bluejay_gate.spec.yamlpos import Path as KeyPath


def build_checks(
    raw: Mapping[str, Any],
    base: KeyPath,
    located: Located,
    problems: list[Problem],
    level: float | None = None,
) -> dict[str, tuple[Check, ...]]:
    """The checks of one ``thresholds:`` mapping at ``base``, metric by metric; ``level``
    is ``run.confidence``. A bad entry is a problem in ``problems`` and is left out."""
    result: dict[str, tuple[Check, ...]] = {}
    for metric, value in raw.items():
        path: KeyPath = (*base, metric)
        if not metric.strip():
            problems.append(
                Problem(located.line_of(path), 1, path, "a metric name must not be empty")
            )
            continue
        items: list[tuple[str | CheckModel, KeyPath]]
        if isinstance(value, list):
            if not value:
                problems.append(
                    Problem(
                        located.line_of(path),
                        1,
                        path,
                        "an empty list checks nothing: give at least one expression",
                    )
                )
                continue
            items = [(item, (*path, i)) for i, item in enumerate(value)]
        else:
            items = [(value, path)]
        checks = []
        for item, item_path in items:
            check = _make_check(metric, item, item_path, located, problems, level)
            if check is not None:
                checks.append(check)
        result[metric] = tuple(checks)
    return result


def _make_check(  # noqa: PLR0917 - private helper, one call
    metric: str,
    item: str | CheckModel,
    path: KeyPath,
    located: Located,
    problems: list[Problem],
    level: float | None = None,
) -> Check | None:
    line = located.line_of(path)
    own_level: float | None = None
    each = False
    if isinstance(item, CheckModel):
        severity, min_samples = Severity(item.severity), item.min_samples
        own_level = None if item.confidence is None else float(item.confidence)
        each = item.each_digital_human is not None
        text = item.each_digital_human if item.each_digital_human is not None else item.check
        assert text is not None  # the model requires one of them
    else:
        text, severity, min_samples = item, Severity.ERROR, None
    # already validated by the model
    parsed = parse_each(text) if each else parse_expression(text)
    message = _rule_violation(metric, parsed, text)
    if message is None and own_level is not None:
        message = _confidence_violation(parsed, text, each=each)
        if message:
            path = (*path, "confidence")
            line = located.line_of(path)
    if message:
        problems.append(Problem(line, 1, path, message))
        return None
    confidence = own_level
    if confidence is None and not each and _supports_confidence(parsed):
        confidence = level
    return Check(
        metric=metric,
        aggregate=parsed.aggregate,
        op=parsed.op,
        threshold=parsed.threshold,
        expression=parsed.text,
        percent=parsed.percent,
        percentile=parsed.percentile,
        share_value=parsed.share_value,
        severity=severity,
        min_samples=min_samples,
        line=line,
        confidence=confidence,
        per_digital_human=each,
        exact=parsed.exact,
        delta=parsed.delta,
    )


def _supports_confidence(parsed: ParsedExpression) -> bool:
    return parsed.aggregate in CONFIDENCE_AGGREGATES and parsed.op not in (Op.EQ, Op.NE)


def _delta_violation(parsed: ParsedExpression, text: str) -> str | None:
    """A ``delta(AGG)`` check that cannot mean what it says."""
    if parsed.aggregate in {Aggregate.RATE, Aggregate.FAIL_RATE, Aggregate.SHARE} and not (
        -1 <= parsed.threshold <= 1
    ):
        return (
            f"{text!r}: a change of a rate runs from -100% to +100%, so "
            f"{parsed.threshold:g} is out of range (the check would always pass or always "
            "fail): write a percentage, e.g. delta(pass_rate) >= -5%"
        )
    return None


def _confidence_violation(parsed: ParsedExpression, text: str, *, each: bool) -> str | None:
    if each:
        return (
            f"confidence does not apply to an each_digital_human rule ({text!r}): it judges "
            "each digital human's own few conversations exactly; remove confidence here"
        )
    if parsed.delta and parsed.aggregate not in CONFIDENCE_AGGREGATES:
        return (
            f"confidence does not apply to {text!r}: only delta of {CONFIDENCE_WORDS} has a "
            "confidence interval (Newcombe for rates, Welch for mean); remove confidence "
            "here or compare the mean"
        )
    if parsed.aggregate not in CONFIDENCE_AGGREGATES:
        return (
            f"confidence does not apply to {text!r}: only {CONFIDENCE_WORDS} checks have a "
            "confidence interval; remove confidence here or gate on one of those"
        )
    if parsed.op in (Op.EQ, Op.NE):
        return (
            f"confidence does not apply to {text!r}: an interval can settle >=, >, <= or <, "
            "never == or !="
        )
    return None


def _rule_violation(metric: str, parsed: ParsedExpression, text: str) -> str | None:
    """Expressions that parse but cannot mean what they say (and could pass by accident)."""
    aggregate, threshold, percent = parsed.aggregate, parsed.threshold, parsed.percent
    if parsed.delta and metric != "score":
        return _delta_violation(parsed, text)
    if metric == "score" and aggregate is not Aggregate.VALUE:
        return (
            f"`score` is Bluejay's one run-level number (0-100): check it with `value`, "
            f"e.g. `value >= 80`, not {text!r}"
        )
    if aggregate is Aggregate.VALUE and metric != "score":
        return (
            f"`value` applies only to the run-level `score`; for {metric!r} use mean, median, "
            "min, max, pNN, rate, fail_rate, count, fail_count or share(VALUE)"
        )
    if aggregate is Aggregate.VALUE and percent:
        return (
            f"`score` runs from 0 to 100, so {text!r} compares it with "
            f"{threshold:g}: write it without %, e.g. `value >= 80`"
        )
    if aggregate in {Aggregate.RATE, Aggregate.FAIL_RATE, Aggregate.SHARE} and not (
        0 <= threshold <= 1
    ):
        return (
            f"{text!r}: a rate is a share from 0% to 100%, so {threshold:g} is out of range "
            "(the check would always pass or always fail): write a percentage, e.g. 90%"
        )
    if aggregate in {Aggregate.COUNT, Aggregate.FAIL_COUNT} and percent:
        return f"{text!r}: `{aggregate.value}` is a number of conversations; % does not apply"
    return None

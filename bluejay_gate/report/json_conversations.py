"""A conversation in the JSON report, rendered straight to text: the hot path of a large
report (runs × conversations × metrics), so a small dedicated encoder writes each
per-conversation metric object on one line instead of ``json.dumps``'s pure-Python
indenting encoder; ``json.loads`` reads the result like any other JSON.

Whatever repeats across conversations (a metric's name, value and type) is rendered once
and cached, within a bound; only the reasoning is encoded every time.
"""

from __future__ import annotations

import functools
import json
import math

from bluejay_gate.model.values import MetricValue
from bluejay_gate.report.jsontext import INDENT, Fragment, encode_str, opt_str, scalar, utf8_safe
from bluejay_gate.verdict.model import Conversation

_encode_basestring = json.encoder.encode_basestring  # the C version when available


def conversation_fragment(conversation: Conversation) -> Fragment:
    """A conversation, rendered straight to text: the hot path of a large report."""
    return Fragment(lambda level: _conversation_text(conversation, level))


def _conversation_text(conversation: Conversation, level: int) -> str:
    pad = "\n" + INDENT * (level + 1)
    enc = encode_str
    fields = (
        ("result_id", enc(conversation.result_id)),
        ("run_id", enc(conversation.run_id)),
        ("digital_human_id", opt_str(conversation.digital_human_id)),
        ("status", enc(conversation.status)),
        ("completed", "true" if conversation.completed else "false"),
        ("never_spoke", "true" if conversation.never_spoke else "false"),
        ("dashboard_url", opt_str(conversation.dashboard_url)),
        ("transcript_url", opt_str(conversation.transcript_url)),
        ("audio_url", opt_str(conversation.audio_url)),
        ("duration_ms", scalar(conversation.duration_ms)),
        ("status_as_sent", opt_str(conversation.status_as_sent)),
        ("has_custom", "true" if conversation.has_custom else "false"),
    )
    head = "{" + ",".join(f'{pad}"{key}": {text}' for key, text in fields)
    metrics = conversation.metrics
    if not metrics:
        return f'{head},{pad}"metrics": {{}}\n{INDENT * level}}}'
    inner = pad + INDENT
    # One metric per line, built inline: this loop runs runs × conversations × metrics
    # times in a large report.
    parts = []
    heads = _METRIC_HEADS
    raw_enc = _encode_basestring  # the C encoder; lone surrogates are escaped once below
    isfinite = math.isfinite
    for name, metric in metrics.items():
        value = metric.value
        reasoning = metric.reasoning
        why = "null" if reasoning is None else raw_enc(reasoning)
        if value.__class__ is float:
            # Numbers rarely repeat (latencies, durations): name and type parts are shared.
            raw, rt = metric.raw, metric.response_type
            parts.append(
                f"{_number_head(inner, name)}"
                f"{float.__repr__(value) if isfinite(value) else 'null'}, "
                f'"raw": {"null" if raw is None else raw_enc(raw)}'
                f"{_number_tail(rt, metric.applicable, _domain(metric))}"
                f"{why}}}"
            )
            continue
        # Everything but the reasoning repeats across conversations (pass/fail, enum
        # words): rendered once per distinct (name, value, raw, type, applicable, depth).
        key = (
            name,
            value,
            value.__class__,
            metric.raw,
            metric.response_type,
            metric.applicable,
            metric.error,
            metric.min_value,
            metric.max_value,
            metric.options,
            level,
        )
        start = heads.get(key)
        if start is None:
            start = _metric_head(inner, name, metric)
            if len(heads) >= _METRIC_HEADS_LIMIT:
                heads.clear()
            heads[key] = start
        parts.append(f"{start}{why}}}")
    text = f'{head},{pad}"metrics": {{{",".join(parts)}{pad}}}\n{INDENT * level}}}'
    return text if text.isascii() else utf8_safe(text)


_METRIC_HEADS: dict[tuple[object, ...], str] = {}
_METRIC_HEADS_LIMIT = 50_000


@functools.lru_cache(maxsize=4096)
def _number_head(inner: str, name: str) -> str:
    return f'{inner}{encode_str(name)}: {{"value": '


def _domain(metric: MetricValue) -> tuple[float | None, float | None, tuple[str, ...] | None]:
    return metric.min_value, metric.max_value, metric.options


@functools.lru_cache(maxsize=256)
def _number_tail(
    response_type: str,
    applicable: bool,
    domain: tuple[float | None, float | None, tuple[str, ...] | None],
) -> str:
    # A number that was read has no error: one outside its domain is kept as malformed.
    return (
        f', "response_type": {encode_str(response_type)}, '
        f'"applicable": {"true" if applicable else "false"}, "error": null, '
        f"{_domain_text(*domain)}"
        '"reasoning": '
    )


def _domain_text(low: float | None, high: float | None, options: tuple[str, ...] | None) -> str:
    """``"min_value": 0, "max_value": 10, "options": null, ``: the declared domain, so a
    report read back judges the value against it again."""
    shown = "null" if options is None else "[" + ", ".join(encode_str(o) for o in options) + "]"
    return f'"min_value": {scalar(low)}, "max_value": {scalar(high)}, "options": {shown}, '


def _metric_head(inner: str, name: str, metric: MetricValue) -> str:
    """A metric's line up to its reasoning value."""
    raw = metric.raw
    return (
        f'{inner}{encode_str(name)}: {{"value": {scalar(metric.value)}, '
        f'"raw": {"null" if raw is None else encode_str(raw)}, '
        f'"response_type": {encode_str(metric.response_type)}, '
        f'"applicable": {"true" if metric.applicable else "false"}, '
        f'"error": {opt_str(metric.error)}, '
        f"{_domain_text(metric.min_value, metric.max_value, metric.options)}"
        '"reasoning": '
    )

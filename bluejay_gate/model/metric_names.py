"""Bluejay's built-in metric names and the response types the gate gives them: one
source of truth for every stage."""

from __future__ import annotations

BUILTIN_BOOLEAN = ("goal_success", "hallucination", "redundancy")
LATENCY_FIELDS = (
    "avg_agent_latency",
    "max_agent_latency",
    "p50_agent_latency",
    "p90_agent_latency",
    "p95_agent_latency",
    "p99_agent_latency",
)
FILLER_LATENCY_FIELDS = (
    "avg_filler_ignored_latency",
    "p50_filler_ignored_latency",
    "p90_filler_ignored_latency",
    "p95_filler_ignored_latency",
    "p99_filler_ignored_latency",
)
EVALUATION_NUMBERS = (
    "avg_agent_latency",
    "num_turns",
    "sentiment_score",
    "pronunciation_score",
    "agent_speak_percentage",
    "custom_evals_success_rate",
)
BUILTIN_NUMBER = (
    *EVALUATION_NUMBERS,
    *(f"latency.{f}" for f in LATENCY_FIELDS),
    *(f"filler_ignored_latency.{f}" for f in FILLER_LATENCY_FIELDS),
    "duration",
)
BUILTIN_ENUM = ("sentiment_label",)
RUN_LEVEL = ("score",)
BUILTIN_NAMES = (*BUILTIN_BOOLEAN, *BUILTIN_NUMBER, *BUILTIN_ENUM)
# Every name that is not a custom metric: Bluejay fills these itself.
NOT_CUSTOM = frozenset((*BUILTIN_NAMES, *RUN_LEVEL))

BUILTIN_BOOL_TYPE = "builtin_bool"
BUILTIN_NUMBER_TYPE = "builtin_number"
BUILTIN_ENUM_TYPE = "builtin_enum"

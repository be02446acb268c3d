"""What the emulator's judge says about a value it gave, and the transcript it goes with:
the reasoning agrees with the score (a low score says why it is low), and the transcript
shows the conversation the scores describe (a curt agent where empathy is low).

Pure: a function of the metric, its value and a random stream; never decides a value
(``scoring`` does).
"""

from __future__ import annotations

import random
from typing import Any

NOT_APPLICABLE_REASON = "Not applicable: the conversation never reached this topic."
_GOOD = (
    "The agent acknowledged the caller's concern, confirmed the account and explained "
    "the next steps clearly.",
    "The agent restated the request correctly before acting and kept a calm, warm tone.",
)
_MIDDLE = (
    "The agent resolved the request but rushed the caller and skipped one confirmation.",
    "The agent was polite but read the policy without relating it to the caller's case.",
)
_BAD = (
    "The agent cut the caller off twice and never acknowledged their frustration.",
    "The agent answered in curt fragments and ignored the caller's request to explain the charge.",
)
_BAND_WORDS = {"good": "high", "middle": "middling", "bad": "low"}  # for numbers


def band(response_type: str, value: str, low: float | None, high: float | None) -> str | None:
    """``good``, ``middle`` or ``bad`` for the value; ``None`` when it has no direction."""
    word = value.strip().lower()
    if response_type in {"pass_fail", "yes_no"}:
        return "good" if word in {"pass", "yes", "true"} else "bad"
    if response_type == "quantitative":
        try:
            number = float(value)
        except ValueError:
            return None
        bottom = 0.0 if low is None else low
        top = 10.0 if high is None else high
        share = (number - bottom) / (top - bottom) if top > bottom else 1.0
        return "good" if share >= 0.7 else "middle" if share >= 0.45 else "bad"
    return None


def reasoning_for(
    name: str,
    response_type: str,
    value: str,
    rng: random.Random,
    *,
    low: float | None = None,
    high: float | None = None,
    length: int = 0,
) -> str:
    """The judge's reasoning for ``value`` of metric ``name``; exactly ``length``
    characters when ``length`` is given (the rest repeats the same judgement)."""
    if value == "Not Applicable":
        text = NOT_APPLICABLE_REASON
    else:
        kind = band(response_type, value, low, high)
        if kind is None:
            text = f"{name}: judged '{value}' from the conversation as a whole."
        else:
            pool = {"good": _GOOD, "middle": _MIDDLE, "bad": _BAD}[kind]
            how = "" if response_type in {"pass_fail", "yes_no"} else f" ({_BAND_WORDS[kind]})"
            text = f"{name} {value}{how}: {rng.choice(pool)}"
    while length and len(text) < length:
        text += " " + text
    return text[:length] if length else text


def transcript(
    caller: str, scores: list[dict[str, Any]], *, never_speaks: bool
) -> list[dict[str, str]]:
    """A short transcript that agrees with the scores: the agent is warm when every scored
    metric is good, curt when one is bad."""
    bad = any(
        band(
            str(m.get("response_type")),
            str(m.get("response_value")),
            m.get("min_value"),
            m.get("max_value"),
        )
        == "bad"
        for m in scores
    )
    turns = [
        {"speaker": "USER", "utterance": f"Hi, this is {caller}. I have a question about my bill."}
    ]
    if never_speaks:
        return turns
    if bad:
        turns += [
            {"speaker": "AGENT", "utterance": "Account number."},
            {"speaker": "USER", "utterance": "I was charged twice and I'm really upset."},
            {"speaker": "AGENT", "utterance": "Refunds take 30 days. Anything else?"},
        ]
    else:
        turns += [
            {
                "speaker": "AGENT",
                "utterance": "I'm sorry about that, let's sort it out. "
                "Can you confirm your account number?",
            },
            {"speaker": "USER", "utterance": "It's 4471. I was charged twice."},
            {
                "speaker": "AGENT",
                "utterance": "I see the duplicate charge; I've refunded it, "
                "and you'll see it within 30 days.",
            },
        ]
    return turns

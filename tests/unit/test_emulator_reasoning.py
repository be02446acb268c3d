"""The emulator's judge agrees with its scores: a low value's reasoning says it is low and
why, a pass says why it passed, and the transcript is curt where a metric is bad."""

from __future__ import annotations

from bluejay_gate.emulator import reasoning
from bluejay_gate.emulator.scenario import ScoreSpec
from bluejay_gate.emulator.scoring import ConversationKey, MetricSpec, score_conversation

KEY = ConversationKey(seed=1, simulation_id=4821, digital_human_id=13, run_number=1, repetition=0)
EMPATHY = MetricSpec("Empathy", "", "quantitative", min_value=0, max_value=10)
GREETING = MetricSpec("Greeting compliance", "", "pass_fail")


def test_low_and_high_scores_get_reasons_that_match() -> None:
    low = score_conversation(KEY, [EMPATHY], {"Empathy": ScoreSpec(mean=2, spread=0)})
    high = score_conversation(KEY, [EMPATHY], {"Empathy": ScoreSpec(mean=9, spread=0)})
    (low_metric,) = low.metrics
    (high_metric,) = high.metrics
    assert low_metric["response_value"] == "2"
    assert low_metric["reasoning"].startswith("Empathy 2 (low): ")
    assert any(bad in low_metric["reasoning"] for bad in reasoning._BAD)
    assert high_metric["reasoning"].startswith("Empathy 9 (high): ")


def test_pass_fail_reasons_and_exact_length() -> None:
    failed = score_conversation(KEY, [GREETING], {"Greeting compliance": ScoreSpec(pass_rate=0)})
    (metric,) = failed.metrics
    assert metric["response_value"] == "fail"
    assert metric["reasoning"].startswith("Greeting compliance fail: ")
    sized = score_conversation(KEY, [EMPATHY], {}, reasoning_length=600)
    assert len(sized.metrics[0]["reasoning"]) == 600


def test_transcript_is_curt_when_a_metric_is_bad() -> None:
    bad = [{"response_type": "quantitative", "response_value": "2", "max_value": 10}]
    good = [{"response_type": "pass_fail", "response_value": "pass"}]
    curt = reasoning.transcript("Angry caller", bad, never_speaks=False)
    warm = reasoning.transcript("Angry caller", good, never_speaks=False)
    assert curt[0]["utterance"].startswith("Hi, this is Angry caller.")
    assert curt[1] == {"speaker": "AGENT", "utterance": "Account number."}
    assert warm[1]["utterance"].startswith("I'm sorry about that")
    assert reasoning.transcript("X", good, never_speaks=True) == [
        {"speaker": "USER", "utterance": "Hi, this is X. I have a question about my bill."}
    ]

"""The benchmark's world: an emulator scenario and the gate spec that runs it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

AGENT: dict[str, Any] = {
    "id": 1,
    "name": "Bench Bot",
    "external_agent_id": "bench-bot",
    "system_prompt": "You are the bench agent.",
    "knowledge_base": "Nothing to know.",
    "goals": ["Answer"],
}
FIRST_SIM = 5001
FIRST_HUMAN = 100_000


@dataclass(frozen=True, slots=True)
class Size:
    """``sims`` simulations of ``conversations`` each, ``metrics`` custom metrics per
    conversation with reasoning texts of ``reasoning`` characters."""

    sims: int
    conversations: int = 10
    metrics: int = 5
    reasoning: int = 0
    bulk_missing: float = 0.0  # share of results the bulk view leaves without metrics


def metric_name(i: int) -> str:
    return f"M{i:02d}"


def scenario(size: Size, *, seconds: float) -> dict[str, Any]:
    """Stages summing to about ``seconds`` of scenario time (before the speed factor)."""
    metrics = [{"name": metric_name(i), "response_type": "pass_fail"} for i in range(size.metrics)]
    sims = []
    for s in range(size.sims):
        humans = [
            {"id": FIRST_HUMAN + s * size.conversations + h, "name": f"Human {s}.{h}"}
            for h in range(size.conversations)
        ]
        sims.append(
            {
                "id": FIRST_SIM + s,
                "name": f"Bench {s + 1}",
                "agent": "bench-bot",
                "digital_humans": humans,
                "scores": {metric_name(i): {"pass_rate": 0.95} for i in range(size.metrics)},
            }
        )
    return {
        "seed": 11,
        "timing": {
            "queued": 0.1 * seconds,
            "running": 0.55 * seconds,
            "conversation_ended": 0.05 * seconds,
            "evaluating": 0.3 * seconds,
            "jitter": 0.2,
        },
        "agents": [AGENT],
        "custom_metrics": metrics,
        "simulations": sims,
        "quirks": {"reasoning_length": size.reasoning, "bulk_missing_metrics": size.bulk_missing},
    }


def spec(sim_indexes: list[int], *, poll_interval: float, max_parallel: int) -> str:
    """A spec running the given simulations (0-based) with checks on a custom metric, so
    results lacking metrics must be re-read."""
    lines = [
        "version: 1",
        "agent:",
        f"  external_id: {AGENT['external_agent_id']}",
        f"  name: {AGENT['name']}",
        f"  system_prompt: {AGENT['system_prompt']}",
        f"  knowledge_base: {AGENT['knowledge_base']}",
        f"  goals: [{AGENT['goals'][0]}]",
        "run:",
        "  timeout: 20m",
        f"  poll_interval: {poll_interval}s",
        f"  max_parallel: {max_parallel}",
        "simulations:",
    ]
    lines += [f"  - id: {FIRST_SIM + i}\n    name: Bench {i + 1}" for i in sim_indexes]
    lines += [
        "thresholds:",
        f"  {metric_name(0)}: pass_rate >= 50%",
        "  goal_success: pass_rate >= 50%",
    ]
    return "\n".join(lines) + "\n"

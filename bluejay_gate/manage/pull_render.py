"""What ``pull`` writes, from what it read: Bluejay's records -> the spec file and the
``{file:}`` texts beside it (relative path -> text).

Pure: no I/O, and deterministic: the same records give byte-identical files (metrics,
simulations and digital humans sorted by name, then id; nested mappings by key; the only
time is the header's, which the caller gives).

What goes where:

- ``agent:``: ``external_id`` (else Bluejay's ``id``), ``name``, and every other
  ``AgentRequest`` field Bluejay returns non-empty (the system prompt, stored as
  ``agent_description``, and the knowledge base always in files; the fields an agent is
  created with always written). Secrets are never written: a password Bluejay holds
  becomes a ``${AGENT_..._PASSWORD}`` placeholder.
- ``custom_metrics:`` every metric linked to the agent, ``simulations:`` each simulation
  of the agent in the managed form (with its ``digital_humans:``). Ids are comments only
  (``# Bluejay metric <id>``), so the spec works in another account; so are fields that
  hold an id of this account (``prompt_id``, ``knowledge_base_id``, ``workflow_v2_id``:
  written commented out) and ``bluejay_as_code_id`` (left out).
- Long texts (over ``LONG_TEXT`` characters, or several lines) go to files; a file ends
  with exactly one newline.
- ``thresholds:``: Bluejay's own run score, active, so the spec runs; per simulation,
  commented suggestions from its latest completed run (``suggest``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bluejay_gate.bluejay.fields import (
    AGENT_REQUEST_PROPERTIES,
    HUMAN_SPEC_PROPERTIES,
    METRIC_SPEC_PROPERTIES,
    SIMULATION_SPEC_PROPERTIES,
)
from bluejay_gate.bluejay.setup_models import HumanRecord, MetricRecord, SimulationRecord
from bluejay_gate.errors import ResolveError
from bluejay_gate.manage.pull_yaml import inline, key, one_line
from bluejay_gate.manage.suggest import RunObservation, suggestion_lines

SPEC_NAME = "bluejay-gate.yml"
LONG_TEXT = 120  # characters: a longer text (or one with a line break) goes to a file
SYSTEM_PROMPT_FILE = "prompts/system_prompt.md"
KNOWLEDGE_BASE_FILE = "kb/knowledge_base.md"
SCORE_CHECK = "value >= 80"

# Agent: AgentRequest field -> the AgentPydantic field Bluejay returns it in.
_AGENT_STORED_AS = {"system_prompt": "agent_description"}
# Written even when empty: an agent cannot be created without them.
_AGENT_CREATE_FIELDS = ("system_prompt", "knowledge_base", "goals")
_AGENT_SECRETS: Mapping[str, str] = {
    "websocket_password": "AGENT_WEBSOCKET_PASSWORD",
    "sip_password": "AGENT_SIP_PASSWORD",
}
#: The environment variables the pulled spec reads its secrets from.
SECRET_VARIABLES = tuple(_AGENT_SECRETS.values())
# Not written: identity (written first), ids of this account, fields Bluejay never returns.
_AGENT_SKIPPED = frozenset({"name", "external_agent_id", "bluejay_as_code_id", "folder"})
_NEVER = frozenset({"bluejay_as_code_id", "id", "created_at", "agent_ids", "agent_id"})
# Fields holding an id of this account: written commented out.
_ACCOUNT_IDS = frozenset({"prompt_id", "knowledge_base_id", "workflow_v2_id"})
# Texts that go to a file when long, and the file's suffix.
_METRIC_TEXTS = {"description": "", "scoring_guidance": ".scoring_guidance"}
_SIMULATION_TEXTS = {"description": ""}
_HUMAN_TEXTS = frozenset(
    {"intent", "success_criteria", "role_description", "hangup_instructions", "original_transcript"}
)


@dataclass(frozen=True)
class PulledSimulation:
    record: SimulationRecord
    humans: tuple[HumanRecord, ...]
    latest: RunObservation | None = None


@dataclass(frozen=True)
class PulledSetup:
    """Everything ``pull`` read of one agent."""

    agent: Mapping[str, Any]  # AgentPydantic as Bluejay returned it
    metrics: tuple[MetricRecord, ...]
    simulations: tuple[PulledSimulation, ...]


# -- names and slugs -------------------------------------------------------------------


def slug(name: str) -> str:
    """``"Angry Alice (v2)"`` -> ``"angry-alice-v2"``: lowercase, [a-z0-9-]."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text or "item"


class Slugs:
    """Unique slugs within one folder: a second ``angry-alice`` is ``angry-alice-2``."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, name: str) -> str:
        base = slug(name)
        candidate, n = base, 1
        while candidate in self._taken:
            n += 1
            candidate = f"{base}-{n}"
        self._taken.add(candidate)
        return candidate


def _order(name: str | None, ident: str) -> tuple[str, int, str]:
    return (name or "", int(ident) if ident.isdigit() else -1, ident)


def check_unique(setup: PulledSetup) -> None:
    """Two metrics (or simulations of the agent, or digital humans of one simulation) with
    one name cannot be written as a spec, which finds them by name: refuse, naming them."""
    groups: list[tuple[str, Iterable[tuple[str | None, str]]]] = [
        ("custom metrics", ((m.name, m.id) for m in setup.metrics)),
        ("simulations", ((s.record.name, s.record.id) for s in setup.simulations)),
    ]
    groups += [
        (f"digital humans of simulation {s.record.id}", ((h.name, h.id) for h in s.humans))
        for s in setup.simulations
    ]
    for what, items in groups:
        seen: dict[str, list[str]] = {}
        for name, ident in items:
            if name is not None:
                seen.setdefault(name, []).append(ident)
        for name, ids in sorted(seen.items()):
            if len(ids) > 1:
                raise ResolveError(
                    f"Bluejay has {len(ids)} {what} named {name!r} (ids {', '.join(ids)}): "
                    "the spec finds them by name; rename all but one in Bluejay, then pull again"
                )


# -- the parts of the file -------------------------------------------------------------


def _present(value: Any) -> bool:
    """Non-empty: not None, "", [] or {} (False and 0 are values)."""
    if value is None:
        return False
    return not (isinstance(value, str | list | tuple | dict) and not value)


def _file_text(text: str) -> str:
    return text.rstrip("\r\n") + "\n"


def _long(value: Any) -> bool:
    return isinstance(value, str) and (len(value) > LONG_TEXT or "\n" in value.strip("\r\n"))


def _setting(record: SimulationRecord, name: str) -> Any:
    """A simulation setting: at the top level, else in ``settings`` (None: not set)."""
    present, value = record.stored(name)
    if present and value is not None:
        return value
    settings = record.settings
    return settings.get(name) if isinstance(settings, dict) else None


def _file_ref(path: str) -> str:
    return "{file: " + path + "}"


class _Writer:
    """Lines of the spec file and the texts beside it."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.files: dict[str, str] = {}

    def add(self, line: str = "") -> None:
        self.lines.append(line)

    def field(self, indent: str, name: str, value: Any, comment: str = "") -> None:
        tail = f"  # {comment}" if comment else ""
        self.lines.append(f"{indent}{key(name)}: {inline(value)}{tail}")

    def text(self, indent: str, name: str, value: Any, path: str | None) -> None:
        """A text field in a file at ``path``; inline when it is empty, or when a file could
        not give it back exactly (a carriage return or a byte-order mark, which reading
        the file drops)."""
        if (
            path is not None
            and isinstance(value, str)
            and value.strip()
            and "\r" not in value
            and not value.startswith("\ufeff")
        ):
            self.files[path] = _file_text(value)
            self.lines.append(f"{indent}{key(name)}: {_file_ref(path)}")
        else:
            self.field(indent, name, value)

    def account_id(self, indent: str, name: str, value: Any) -> None:
        self.lines.append(
            f"{indent}# {key(name)}: {inline(value)}  # an id of this account: "
            "uncomment to pin it here"
        )


def _header(base_url: str, pulled_at: datetime) -> list[str]:
    when = pulled_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"# Pulled by `bluejay-gate pull` from {_shown_url(base_url)} on {when}.",
        "# Bluejay's ids are only comments: the agent is found by external_id, its custom",
        "# metrics and simulations by name within it, and digital humans by name within",
        "# their simulation, so this spec works in another account too. Long texts are in",
        "# the files beside it.",
        "version: 1",
    ]


def _shown_url(base_url: str) -> str:
    """The base URL without user info, query or fragment (never a key)."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", "")) or "the Bluejay API"


def _agent(w: _Writer, agent: Mapping[str, Any]) -> None:
    w.add("agent:")
    ident = str(agent.get("id") or "")
    external = agent.get("external_agent_id")
    if _present(external):
        w.field("  ", "external_id", external, f"Bluejay agent {ident}")
    else:
        w.field(
            "  ",
            "id",
            ident,
            "Bluejay has no external_agent_id for it: set external_id to use the spec "
            "in another account",
        )
    w.field("  ", "name", agent.get("name") or "")
    for name in AGENT_REQUEST_PROPERTIES:
        if name in _AGENT_SKIPPED:
            continue
        value = agent.get(_AGENT_STORED_AS.get(name, name))
        if name in _AGENT_SECRETS:
            if _present(value):
                variable = _AGENT_SECRETS[name]
                w.add(f"  # Bluejay never gives secrets back: set {variable} in the environment")
                w.add(f"  # (a CI secret) to the {name.replace('_', ' ')}.")
                w.add(f"  {name}: ${{{variable}}}")
            continue
        if name == "system_prompt":
            w.text("  ", name, value or "", SYSTEM_PROMPT_FILE)
        elif name == "knowledge_base":
            w.text("  ", name, value or "", KNOWLEDGE_BASE_FILE)
        elif _present(value):
            w.field("  ", name, value)
        elif name in _AGENT_CREATE_FIELDS:
            w.field("  ", name, [] if name == "goals" else "")


def _metrics(w: _Writer, metrics: Sequence[MetricRecord]) -> None:
    if not metrics:
        return
    w.add()
    w.add("custom_metrics:")
    slugs = Slugs()
    for metric in metrics:
        data = metric.model_dump()
        name_slug = slugs.take(metric.name)
        w.field("  - ", "name", metric.name, f"Bluejay metric {metric.id}")
        if not _present(data.get("description")):
            data["description"] = ""  # required by the spec
        for name in METRIC_SPEC_PROPERTIES:
            value = data.get(name)
            if name in _NEVER or name == "name" or value is None:
                continue
            if name in _METRIC_TEXTS and _long(value):
                w.text("    ", name, value, f"metrics/{name_slug}{_METRIC_TEXTS[name]}.md")
            else:
                w.field("    ", name, value)


def _metric_names(selected: Any, by_id: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """Metric ids (or ``{id: ...}`` entries) -> (names of the agent's metrics, other ids)."""
    names: list[str] = []
    unknown: list[str] = []
    for item in selected if isinstance(selected, list) else [selected]:
        ident = item.get("id") if isinstance(item, dict) else item
        text = str(ident)
        if text in by_id:
            names.append(by_id[text])
        else:
            unknown.append(text)
    return names, unknown


def _simulation(
    w: _Writer,
    sim: PulledSimulation,
    sim_slug: str,
    metrics: Mapping[str, MetricRecord],
    by_id: Mapping[str, str],
) -> None:
    record = sim.record
    name = record.name or f"Simulation {record.id}"
    if not sim.humans:
        w.field(
            "  - ",
            "name",
            name,
            f"Bluejay simulation {record.id}: it has no digital humans, so it is a reference "
            "here (not managed)",
        )
        w.lines.extend(suggestion_lines(name, sim.latest, metrics))
        return
    w.field("  - ", "name", name, f"Bluejay simulation {record.id}")
    for field_name in SIMULATION_SPEC_PROPERTIES:
        if field_name in _NEVER:
            continue
        value = _setting(record, field_name)
        if value is None:
            continue
        if field_name in _ACCOUNT_IDS:
            w.account_id("    ", field_name, value)
        elif field_name == "selected_custom_metrics":
            names, unknown = _metric_names(value, by_id)
            for ident in unknown:
                w.add(
                    f"    # selected metric {one_line(ident)} is not one of the agent's "
                    "metrics: left out"
                )
            w.field("    ", field_name, sorted(names))
        elif field_name in _SIMULATION_TEXTS and _long(value):
            w.text("    ", field_name, value, f"simulations/{sim_slug}.md")
        else:
            w.field("    ", field_name, value)
    w.add("    digital_humans:")
    slugs = Slugs()
    for human in sim.humans:
        _human(w, human, f"humans/{sim_slug}/{slugs.take(human.name or str(human.id))}")
    w.lines.extend(suggestion_lines(name, sim.latest, metrics))


def _human(w: _Writer, human: HumanRecord, stem: str) -> None:
    data = human.model_dump()
    name = human.name or f"Digital human {human.id}"
    w.field("      - ", "name", name, f"Bluejay digital human {human.id}")
    for field_name in HUMAN_SPEC_PROPERTIES:
        value = data.get(field_name)
        if field_name in _NEVER or field_name == "name" or value is None:
            continue
        if field_name in _ACCOUNT_IDS:
            w.account_id("        ", field_name, value)
        elif field_name in _HUMAN_TEXTS and _long(value):
            w.text("        ", field_name, value, f"{stem}.{field_name}.md")
        else:
            w.field("        ", field_name, value)


def _simulations(w: _Writer, setup: PulledSetup, metrics: Mapping[str, MetricRecord]) -> None:
    if not setup.simulations:
        w.add()
        w.add("# Bluejay has no simulation for this agent: add one under simulations: (or")
        w.add("# calls:) before the spec can run.")
        return
    by_id = {m.id: m.name for m in setup.metrics}
    w.add()
    w.add("simulations:")
    slugs = Slugs()
    for sim in setup.simulations:
        _simulation(w, sim, slugs.take(sim.record.name or sim.record.id), metrics, by_id)


def _thresholds(w: _Writer) -> None:
    w.add()
    w.add("thresholds:")
    w.add("  # Bluejay's own run score (tests passed / total × 100), so the spec has a check:")
    w.add("  # replace it with checks on your metrics (see the suggestions under each simulation).")
    w.add(f"  score: {SCORE_CHECK}")


def sorted_setup(setup: PulledSetup) -> PulledSetup:
    """``setup`` in the order it is written: by name, then id."""
    sims = tuple(
        PulledSimulation(
            s.record,
            tuple(sorted(s.humans, key=lambda h: _order(h.name, h.id))),
            s.latest,
        )
        for s in sorted(setup.simulations, key=lambda s: _order(s.record.name, s.record.id))
    )
    metrics = tuple(sorted(setup.metrics, key=lambda m: _order(m.name, m.id)))
    return PulledSetup(setup.agent, metrics, sims)


def render(setup: PulledSetup, *, base_url: str, pulled_at: datetime) -> dict[str, str]:
    """The files ``pull`` writes: ``bluejay-gate.yml`` first, then the texts beside it
    (relative paths, sorted). Raises ``ResolveError`` for names Bluejay holds twice."""
    check_unique(setup)
    setup = sorted_setup(setup)
    w = _Writer()
    w.lines.extend(_header(base_url, pulled_at))
    w.add()
    _agent(w, setup.agent)
    _metrics(w, setup.metrics)
    metrics = {m.name: m for m in setup.metrics}
    _simulations(w, setup, metrics)
    _thresholds(w)
    files = {SPEC_NAME: "\n".join(w.lines) + "\n"}
    files.update(sorted(w.files.items()))
    return files

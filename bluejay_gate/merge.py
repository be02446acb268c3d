"""``bluejay-gate merge``: the verdict of a sharded gate, from its shard reports.

Each shard report (``run --shard K/N``) is read back (``earlier``), checked to belong to
this spec and to fit with the others (every shard 1..N once, one N, one agent, no
simulation or call set in two shards, none missing), and the verdict is computed again
from the samples of all shards, as if one run had judged them: never by combining the
shards' verdicts (a pass rate over all shards is not an average of theirs). Then the usual
reports and the verdict's exit code (``finish``).

Sends nothing (no API key needed); every refusal is one line, exit 2.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO, TypeVar

from bluejay_gate import __version__
from bluejay_gate.bluejay.address import DEFAULT_BASE_URL
from bluejay_gate.ci.hooks import comment_on_request
from bluejay_gate.earlier.document import (
    EarlierCallSet,
    EarlierReport,
    EarlierSimulation,
    load_earlier,
)
from bluejay_gate.earlier.identity import fields_sha256, refuse_other_spec, spec_sha256
from bluejay_gate.earlier.samples import (
    call_set_input,
    match_call_sets,
    match_simulations,
    recorded_hashes,
    simulation_input,
)
from bluejay_gate.errors import EarlierReportError, UsageError
from bluejay_gate.finish import finish
from bluejay_gate.options import GateOptions
from bluejay_gate.report import RunInfo
from bluejay_gate.spec.load import load_spec
from bluejay_gate.spec.resolved import CallSetSpec, SimulationSpec, Spec
from bluejay_gate.verdict.evaluate import evaluate
from bluejay_gate.verdict.model import Verdict


@dataclass(frozen=True)
class MergeOptions:
    spec_path: Path
    reports: tuple[Path, ...]
    junit: Path | None
    report: Path | None
    summary: Path | None
    pr_comment: bool = False  # post the merged summary on the pull/merge request


def run_merge(
    opts: MergeOptions, env: Mapping[str, str], out: TextIO, *, color: bool = False
) -> int:
    """Merge the shard reports; write the reports; the verdict's exit code."""
    started = datetime.now(UTC)
    spec = load_spec(opts.spec_path, env)
    try:
        sha = spec_sha256(opts.spec_path.read_bytes())
    except OSError as exc:
        raise UsageError(f"{opts.spec_path}: cannot read the spec again ({exc})") from None
    if not opts.reports:
        raise UsageError("merge: no shard reports given: pass every shard's JSON report")
    reports = [load_earlier(path) for path in opts.reports]
    for report in reports:
        refuse_other_spec(report, str(opts.spec_path), sha)
    refuse_misfits(reports)
    refuse_other_agent(reports[0], str(opts.spec_path), fields_sha256(spec.agent.fields))
    verdict = merged_verdict(spec, reports)
    entries: list[SimulationSpec | CallSetSpec] = [*spec.simulations, *spec.calls]
    first = reports[0]
    info = RunInfo(
        spec_path=str(opts.spec_path),
        version=__version__,
        base_url=first.base_url or DEFAULT_BASE_URL,
        agent_id=first.agent_id,
        agent_name=first.agent_name or spec.agent.name,
        agent_action=None,
        run_ids=tuple(dict.fromkeys(r for report in reports for r in report.run_ids)),
        started_at=started,
        finished_at=datetime.now(UTC),
        check_lines={
            c.label: c.line for s in entries for c in spec.checks_for(s) if c.line is not None
        },
        spec_sha256=sha,
        agent_external_id=first.agent_external_id,
        agent_fields_sha256=first.agent_fields_sha256,
        merged_from=tuple(r.path for r in reports),
        digital_human_names=_names(reports),
        call_file_sha256=_file_hashes(reports),
    )
    gate_opts = GateOptions(
        spec_path=opts.spec_path,
        api_key="",
        base_url=info.base_url,
        junit=opts.junit,
        report=opts.report,
        summary=opts.summary,
        pr_comment=opts.pr_comment,
    )
    code, _ = finish(gate_opts, verdict, info, out=out, env=env, color=color)
    # The shards skip the comment (each saw only its part); the merged verdict posts it.
    comment_on_request(gate_opts, verdict, info, env=env, out=out)
    return code


def _names(reports: Sequence[EarlierReport]) -> dict[str, dict[str, str]]:
    """Each simulation's digital humans' names as its shard report recorded them."""
    names: dict[str, dict[str, str]] = {}
    for report in reports:
        for simulation in report.simulations:
            listed = simulation.doc.get("digital_humans")
            if isinstance(listed, dict):
                names.setdefault(simulation.simulation_id, {}).update(
                    {k: v for k, v in listed.items() if isinstance(k, str) and isinstance(v, str)}
                )
    return names


def _file_hashes(reports: Sequence[EarlierReport]) -> dict[str, dict[str, str]]:
    """Each call set's files' hashes as the shard report that sent it recorded them."""
    return {c.name: recorded_hashes(c) for report in reports for c in report.call_sets}


def refuse_misfits(reports: Sequence[EarlierReport]) -> None:
    """Shard reports that do not make one whole run: not a shard, mixed N, a shard given
    twice or missing, another agent, a unit in two shards."""
    first = reports[0]
    for report in reports:
        if report.shard is None:
            raise EarlierReportError(
                f"{report.path}: not a shard report (no 'shard'): merge the reports of "
                "`bluejay-gate run --shard K/N`"
            )
    assert first.shard is not None
    count = first.shard.count
    seen: dict[int, EarlierReport] = {}
    owner: dict[str, EarlierReport] = {}
    for report in reports:
        shard = report.shard
        assert shard is not None
        if shard.count != count:
            raise EarlierReportError(
                f"{report.path}: shard {shard.text} of {shard.count}, but {first.path} is one "
                f"of {count}: merge the reports of one matrix (one N)"
            )
        if shard.index in seen:
            raise EarlierReportError(
                f"{report.path}: shard {shard.text} is given twice (also {seen[shard.index].path})"
                ": pass each shard's report once"
            )
        seen[shard.index] = report
        if report.agent_fields_sha256 != first.agent_fields_sha256:
            raise EarlierReportError(
                f"{report.path}: tested another agent than {first.path} (agent fields_sha256 "
                f"{(report.agent_fields_sha256 or 'none')[:12]} vs "
                f"{(first.agent_fields_sha256 or 'none')[:12]}): sync the agent once, then "
                "run every shard with --no-sync"
            )
        for unit in shard.units:
            if unit in owner:
                raise EarlierReportError(
                    f"{report.path}: shard {shard.text} overlaps {owner[unit].path}: both ran "
                    f"{unit}; run every shard of one matrix from the same spec"
                )
            owner[unit] = report
    missing = [str(i) for i in range(1, count + 1) if i not in seen]
    if missing:
        raise EarlierReportError(
            f"shard{'s' if len(missing) > 1 else ''} {', '.join(missing)} of {count} "
            f"missing: pass every shard's report (given {len(reports)})"
        )


def refuse_other_agent(report: EarlierReport, spec_path: str, sha: str) -> None:
    """The shards tested the agent this spec describes (its prompt files, its ``${VAR}``s)."""
    if report.agent_fields_sha256 != sha:
        raise EarlierReportError(
            f"{report.path}: the shards tested another agent than {spec_path} describes "
            f"(agent fields_sha256 {(report.agent_fields_sha256 or 'none')[:12]}, the spec's "
            f"{sha[:12]}): merge with the prompt files and ${{VAR}}s the shards ran with"
        )


def merged_verdict(spec: Spec, reports: Sequence[EarlierReport]) -> Verdict:
    """The verdict over every shard's samples, in spec order, as if one run: the
    simulations, then the call sets (as a single run judges them)."""
    sims = _once_each(
        spec,
        spec.simulations,
        reports,
        lambda r: match_simulations(spec, r.simulations),
        "simulation",
    )
    sets = _once_each(
        spec, spec.calls, reports, lambda r: match_call_sets(spec, r.call_sets), "call set"
    )
    inputs = [
        simulation_input(
            spec, sim_spec, doc, where=f"{r.path}: simulations[{doc.index}]", reused_from=None
        )
        for sim_spec, (r, doc) in zip(spec.simulations, sims, strict=True)
    ]
    inputs += [
        call_set_input(
            spec, set_spec, doc, where=f"{r.path}: call_sets[{doc.index}]", reused_from=None
        )
        for set_spec, (r, doc) in zip(spec.calls, sets, strict=True)
    ]
    errors = tuple(dict.fromkeys(e for r in reports for e in r.errors))
    return evaluate(inputs, allow_incomplete=spec.run.allow_incomplete, gate_errors=errors)


_Doc = TypeVar("_Doc", EarlierSimulation, EarlierCallSet)


def _once_each(
    spec: Spec,
    entries: Sequence[SimulationSpec | CallSetSpec],
    reports: Sequence[EarlierReport],
    matched: Callable[[EarlierReport], list[_Doc | None]],
    noun: str,
) -> list[tuple[EarlierReport, _Doc]]:
    """For each of the spec's ``entries`` (simulations or call sets), the one shard report
    that ran it and its item there (``matched``: a report's items in spec order); an
    entry in two reports (the shards overlap) or in none is refused."""
    found: list[tuple[EarlierReport, _Doc] | None] = [None] * len(entries)
    for report in reports:
        for index, doc in enumerate(matched(report)):
            if doc is None:
                continue
            earlier = found[index]
            if earlier is not None:
                raise EarlierReportError(
                    f"{report.path}: {noun} {entries[index].label!r} is also in "
                    f"{earlier[0].path}: shards overlap; run every shard of one matrix"
                )
            found[index] = (report, doc)
    taken: list[tuple[EarlierReport, _Doc]] = []
    for entry, pair in zip(entries, found, strict=True):
        if pair is None:
            raise EarlierReportError(
                f"{spec.path}:{entry.line}: {noun} {entry.label!r} is in no shard "
                "report: pass every shard's report, made from this spec"
            )
        taken.append(pair)
    return taken

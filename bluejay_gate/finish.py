"""The end of a run, on every path: the run's facts for the reports (``run_info``), the
reports written and the verdict printed (``finish``, with GitHub Actions' annotations,
step summary and outputs when running there), or the dry run's plan (``print_plan``).

Writes files and the console; decides nothing (the exit code is the verdict's, or 3 when
a report could not be written).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bluejay_gate import __version__
from bluejay_gate.ci import github
from bluejay_gate.earlier.identity import fields_sha256, spec_sha256
from bluejay_gate.errors import EXIT_NO_VERDICT
from bluejay_gate.manage.plan import SetupPlan, change_records, drift_records
from bluejay_gate.model.shards import Shard
from bluejay_gate.options import GateOptions
from bluejay_gate.report import ReportWriteError, RunInfo, write_reports
from bluejay_gate.report.console import render_verdict_block
from bluejay_gate.report.summary import render_summary
from bluejay_gate.run.agent_sync import AgentPlan
from bluejay_gate.run.simulations import ResolvedSimulation
from bluejay_gate.spec.resolved import AgentSpec, Spec
from bluejay_gate.verdict.costs import SimulationCost, budget_line, describe_total
from bluejay_gate.verdict.model import Verdict


def run_info(  # noqa: PLR0917 - called in two places, positional is clearest
    opts: GateOptions,
    started: datetime,
    plan: AgentPlan | None,
    agent_name: str,
    run_ids: Sequence[str] = (),
    check_lines: Mapping[str, int] | None = None,
    *,
    names: Mapping[str, Mapping[str, str]] | None = None,
    simulation_seconds: Mapping[str, float] | None = None,
    agent: AgentSpec | None = None,
    baseline: str | None = None,
    setup: SetupPlan | None = None,
    setup_done: bool = False,
) -> RunInfo:
    """The run's facts the reports show (agent, action, runs, times, what identifies the
    spec and agent, the baseline compared with)."""
    action = None
    if plan is not None:
        past = {"create": "created", "update": "updated", "unchanged": "unchanged"}
        future = {"create": "would create", "update": "would update", "unchanged": "unchanged"}
        action = (future if opts.dry_run else past)[plan.action]
    return RunInfo(
        spec_path=str(opts.spec_path),
        version=__version__,
        base_url=opts.base_url,
        agent_id=plan.agent_id if plan else None,
        agent_name=agent_name,
        agent_action=action,
        changed_fields=plan.changed if plan else (),
        run_ids=tuple(run_ids),
        started_at=started,
        finished_at=datetime.now(UTC),
        dry_run=opts.dry_run,
        check_lines=dict(check_lines or {}),
        digital_human_names=dict(names or {}),
        simulation_seconds=dict(simulation_seconds or {}),
        spec_sha256=_file_sha256(opts.spec_path),
        agent_external_id=agent.external_id if agent else None,
        agent_fields_sha256=fields_sha256(agent.fields) if agent else None,
        baseline=baseline,
        setup_changes=change_records(setup, done=setup_done) if setup else (),
        drift=drift_records(setup) if setup else (),
    )


def _file_sha256(path: Path) -> str | None:
    try:
        return spec_sha256(path.read_bytes())
    except OSError:
        return None


@contextlib.contextmanager
def _collector_skips_what_is_kept() -> Iterator[None]:
    """Everything alive now (the verdict, every result read) lives to the end of the run:
    freeze it, so the cyclic collector does not walk a big run's million objects again
    and again while the reports are rendered (a second or so after the final poll)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def finish(
    opts: GateOptions,
    verdict: Verdict,
    info: RunInfo,
    *,
    out: TextIO,
    env: Mapping[str, str],
    color: bool,
) -> tuple[int, list[Path]]:
    """Write the reports and print the verdict; the exit code (3 when a report could not
    be written: CI must not pass on a verdict nobody can read) and the files written."""
    code = verdict.exit_code
    written: list[Path]
    try:
        with _collector_skips_what_is_kept():
            written = write_reports(
                verdict, info, junit=opts.junit, report=opts.report, summary=opts.summary
            )
    except ReportWriteError as exc:
        written = list(exc.written)
        out.write(f"error: {exc}\n")
        code = EXIT_NO_VERDICT
    groups = github.in_actions(env)
    out.write(render_verdict_block(verdict, info, color=color, written=written, groups=groups))
    if github.in_actions(env):
        _finish_github(opts, verdict, info, code, out=out, env=env)
    out.flush()
    return code, written


def _finish_github(
    opts: GateOptions,
    verdict: Verdict,
    info: RunInfo,
    code: int,
    *,
    out: TextIO,
    env: Mapping[str, str],
) -> None:
    spec_file = github.spec_path_for_annotations(str(opts.spec_path), env)
    for line in github.error_annotations(verdict, spec_file):
        out.write(line + "\n")
    if summary_path := env.get("GITHUB_STEP_SUMMARY"):
        room = github.summary_room(summary_path)
        github.append_step_summary(summary_path, render_summary(verdict, info, max_bytes=room))
    if output_path := env.get("GITHUB_OUTPUT"):
        github.write_outputs(
            output_path,
            github.outputs_for(
                exit_code=code,
                agent_id=info.agent_id,
                run_ids=info.run_ids,
                junit=opts.junit,
                report=opts.report,
            ),
        )


def print_call_plan(
    out: TextIO,
    spec: Spec,
    chosen: frozenset[int] | None = None,
    *,
    reused: Mapping[int, str] | None = None,
) -> None:
    """The dry run's golden calls: what each call set would send (nothing is sent; of
    this shard's call sets when ``chosen`` names them; those an earlier report passed
    are reused, not sent)."""
    for index, call_set in enumerate(spec.calls):
        if chosen is not None and index not in chosen:
            continue
        if reused and index in reused:
            out.write(f"would reuse: {call_set.name} (passed in {reused[index]}, not sent)\n")
            continue
        checks = spec.checks_for(call_set)
        count = len(call_set.files)
        out.write(
            f"would evaluate: {call_set.name} ({count} recorded call{'s' if count != 1 else ''} "
            f"from {call_set.pattern}), {len(checks)} check{'s' if len(checks) != 1 else ''}\n"
        )


def print_plan(
    out: TextIO,
    spec: Spec,
    plan: AgentPlan,
    sims: Sequence[ResolvedSimulation],
    costs: Sequence[SimulationCost] = (),
    *,
    shard: Shard | None = None,
    chosen: frozenset[int] | None = None,
    reused: Mapping[int, str] | None = None,
    setup: SetupPlan | None = None,
) -> None:
    """The dry run's plan: the agent change, the setup's (creates, updates with the
    fields that change, drift) and what each simulation would queue (of this shard;
    those an earlier report passed are reused, not queued)."""
    lines = plan_head(spec, plan, setup)
    if shard is not None:
        lines.append(scope_line(shard, len(spec.simulations) + len(spec.calls)))
    reused = reused or {}
    cost_of = dict(enumerate(costs))
    for index, (sim_spec, sim) in enumerate(zip(spec.simulations, sims, strict=True)):
        if chosen is not None and index not in chosen:
            continue
        if index in reused:
            lines.append(f"would reuse: {sim.label} (passed in {reused[index]}, not queued)")
            continue
        subset = (
            f", digital humans {', '.join(sim_spec.digital_human_ids)}"
            if sim_spec.digital_human_ids
            else ""
        )
        checks = spec.checks_for(sim_spec)
        repeats = ""
        if sim_spec.repeat > 1 or sim_spec.max_repeats is not None:
            repeats = f", {sim_spec.repeat} per digital human"
            if sim_spec.max_repeats is not None and sim_spec.max_repeats > sim_spec.repeat:
                repeats += f" (up to {sim_spec.max_repeats} while inconclusive)"
        cost = f": {cost_of[index].describe()}" if index in cost_of else ""
        lines.append(
            f"would queue: {sim.label} (simulation {sim.simulation_id}{subset}){repeats}, "
            f"{len(checks)} check{'s' if len(checks) != 1 else ''}{cost}"
        )
    if costs:
        kept = [
            c for i, c in enumerate(costs) if (chosen is None or i in chosen) and i not in reused
        ]
        lines.append(f"in total: {describe_total(kept)}")
        if budget := budget_line(spec.run.max_conversations, kept):
            lines.append(budget)
    out.write("\n".join(lines) + "\n")
    out.flush()


def plan_head(spec: Spec, plan: AgentPlan, setup: SetupPlan | None) -> list[str]:
    """The dry run's first lines: nothing changed, the agent's plan, the setup's."""
    lines = [
        "Dry run: nothing was changed or queued.",
        plan.describe(name=spec.agent.name, done=False),
    ]
    if setup is not None:
        lines.extend(setup.lines(done=False))
    return lines


def print_setup_only(out: TextIO, spec: Spec, plan: AgentPlan, setup: SetupPlan) -> None:
    """The dry run of a spec whose setup is still to be created: the plan of the writes,
    then what would be queued once they exist (its cost and the checks before paying
    need the records, so they are not shown)."""
    lines = plan_head(spec, plan, setup)
    lines.extend(
        f"would queue: {sim.label} once the setup is written "
        f"({len(spec.checks_for(sim))} check{'s' if len(spec.checks_for(sim)) != 1 else ''})"
        for sim in spec.simulations
    )
    lines.append(
        "the cost and the checks before paying are shown once the records exist: run "
        "`bluejay-gate sync` (it writes the setup, queues nothing), then --dry-run again"
    )
    out.write("\n".join(lines) + "\n")
    out.flush()


def scope_line(shard: Shard, total: int) -> str:
    """``shard 1/2: 2 of 3 units (simulation:4821, simulation:4822)``."""
    units = ", ".join(shard.units) or "none"
    return f"shard {shard.text}: {len(shard.units)} of {total} units ({units})"

"""``bluejay-gate pull --agent ID_OR_EXTERNAL_ID [--out DIR] [--force]``: an existing
Bluejay setup written out as a spec.

Reads (GET only) the agent, its custom metrics, its simulations with their digital
humans, and the latest completed run of each simulation (its results' metric values,
read by ``bluejay.results``, for the threshold suggestions); ``pull_render`` turns that
into ``DIR/bluejay-gate.yml`` and the ``{file:}`` texts beside it, which are written
atomically, each one. Refuses (before anything is written) to overwrite a file that
exists, unless ``--force``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, TextIO

from bluejay_gate.bluejay.models import Agent, RunResults, RunStatus, SimulationResult
from bluejay_gate.bluejay.results import lacks_custom_metrics, read_result
from bluejay_gate.bluejay.setup_models import HumanRecord, MetricRecord, SimulationRecord
from bluejay_gate.errors import NotFoundError, UsageError
from bluejay_gate.manage.pull_render import (
    SECRET_VARIABLES,
    SPEC_NAME,
    PulledSetup,
    PulledSimulation,
    render,
)
from bluejay_gate.manage.suggest import RunObservation
from bluejay_gate.model import statuses
from bluejay_gate.model.values import MetricValue

# At most this many results of one run are read again one by one when the bulk answer
# left their custom metrics out (the gate's poller does the same).
MAX_REREADS = 50


class PullApi(Protocol):
    """The reads ``pull`` makes (``BluejayClient`` has them all; every one is a GET)."""

    def get_agent(self, agent_id: str) -> Agent: ...
    def find_agent_by_external_id(self, external_id: str) -> Agent | None: ...
    def agent_metrics(self, agent_id: str) -> list[MetricRecord]: ...
    def agent_simulation_ids(self, agent_id: str) -> list[tuple[str, str | None]]: ...
    def simulation_record(self, simulation_id: str) -> SimulationRecord: ...
    def simulation_humans(self, simulation_id: str) -> list[HumanRecord]: ...
    def list_runs(self, simulation_id: str) -> list[RunStatus]: ...
    def get_run_results(self, run_id: str) -> RunResults: ...
    def get_result(self, result_id: str) -> SimulationResult: ...


def find_agent(api: PullApi, ref: str) -> Agent:
    """The agent ``ref`` names: an all-digit value is tried as Bluejay's id first, then as
    an external id; anything else is an external id. Not found: ``UsageError``."""
    text = ref.strip()
    if not text:
        raise UsageError("--agent is empty: give the agent's Bluejay id or its external id")
    if text.isdigit():
        try:
            return api.get_agent(text)
        except NotFoundError:
            pass
    agent = api.find_agent_by_external_id(text)
    if agent is None or not agent.id:
        tried = "id or external id" if text.isdigit() else "external id"
        raise UsageError(
            f"no Bluejay agent has the {tried} {text!r}: check --agent (the agent's id "
            "in the dashboard, or its external_agent_id) and the API key's account"
        )
    return agent


def latest_completed(runs: list[RunStatus]) -> RunStatus | None:
    """The newest ``COMPLETED`` run, by ``created_at``, then id."""
    from bluejay_gate.bluejay.adoption import newest_key

    done = [r for r in runs if statuses.normalise(r.status) == "COMPLETED"]
    return max(done, key=lambda r: newest_key(r.created_at, r.id), default=None)


def observe(api: PullApi, run: RunStatus, metric_names: frozenset[str]) -> RunObservation:
    """The custom metrics' values in each conversation of ``run``."""
    results = api.get_run_results(run.id)
    values: dict[str, list[MetricValue]] = {}
    rereads = 0
    conversations = 0
    for result in results.results:
        read = read_result(result)
        if lacks_custom_metrics(read) and rereads < MAX_REREADS:
            rereads += 1
            read = read_result(api.get_result(read.id))
        if statuses.normalise(read.status) not in statuses.RESULT_SCORED:
            continue
        conversations += 1
        for name, value in read.metrics.items():
            if name in metric_names:
                values.setdefault(name, []).append(value)
    summary = results.simulation_run
    return RunObservation(
        run_id=run.id,
        created_at=run.created_at or summary.created_at,
        conversations=conversations,
        values={k: tuple(v) for k, v in values.items()},
        tests_passed=run.tests_passed if run.tests_passed is not None else summary.tests_passed,
        total_tests=run.total_tests if run.total_tests is not None else summary.total_tests,
    )


def fetch_setup(api: PullApi, ref: str) -> PulledSetup:
    """Everything ``pull`` writes, read from Bluejay (GET requests only)."""
    agent = find_agent(api, ref)
    agent_id = str(agent.id)
    metrics = tuple(api.agent_metrics(agent_id))
    names = frozenset(m.name for m in metrics)
    simulations = []
    for sim_id, _name in api.agent_simulation_ids(agent_id):
        record = api.simulation_record(sim_id)
        humans = tuple(api.simulation_humans(sim_id))
        run = latest_completed(api.list_runs(sim_id))
        latest = observe(api, run, names) if run is not None else None
        simulations.append(PulledSimulation(record, humans, latest))
    return PulledSetup(agent.model_dump(), metrics, tuple(simulations))


def _refuse_existing(targets: list[Path], force: bool) -> None:
    if force:
        return
    for target in targets:
        if target.exists() or target.is_symlink():
            raise UsageError(
                f"{target} exists already: pull refuses to overwrite it; "
                "give --force to replace it, or choose another --out folder"
            )


def write_files(folder: Path, files: Mapping[str, str], *, force: bool) -> list[Path]:
    """Write every file under ``folder`` atomically; refuses first when one exists."""
    from bluejay_gate.report.files import write_atomic

    targets = [folder / relative for relative in files]
    _refuse_existing(targets, force)
    for target, text in zip(targets, files.values(), strict=True):
        try:
            write_atomic(target, text)
        except OSError as exc:
            raise UsageError(
                f"cannot write {target}: {exc.strerror or exc}; check --out (a folder you "
                "can write to)"
            ) from None
    return targets


def load_problem(spec_path: Path) -> str | None:
    """``None`` when the spec loader reads the pulled spec, else its one-line error (what
    Bluejay holds that a spec cannot say). The secrets' variables count as set."""
    from bluejay_gate.errors import SpecError
    from bluejay_gate.spec.load import load_spec

    try:
        load_spec(spec_path, dict.fromkeys(SECRET_VARIABLES, "set-at-run-time"))
    except SpecError as exc:
        return str(exc)
    return None


def pull(
    api: PullApi,
    ref: str,
    folder: Path,
    out: TextIO,
    *,
    base_url: str,
    force: bool = False,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """Read the agent's setup, write the spec and its files, print what was written."""
    _refuse_existing([folder / SPEC_NAME], force)  # before any request
    setup = fetch_setup(api, ref)
    files = render(setup, base_url=base_url, pulled_at=now())
    written = write_files(folder, files, force=force)
    for path in written:
        out.write(f"wrote {path}\n")
    problem = load_problem(folder / SPEC_NAME)
    if problem is not None:
        out.write(
            f"warning: {problem} (the pulled spec does not load as it is: fix that line "
            "before `bluejay-gate run`)\n"
        )
    humans = sum(len(s.humans) for s in setup.simulations)
    runs = sum(1 for s in setup.simulations if s.latest is not None)
    sims = len(setup.simulations)
    out.write(
        f"pulled agent {setup.agent.get('name')!r} ({setup.agent.get('id')}): "
        f"{_count(len(setup.metrics), 'custom metric')}, {_count(sims, 'simulation')} "
        f"with {_count(humans, 'digital human')}, threshold suggestions from "
        f"{_count(runs, 'completed run')}; check it with "
        f"`bluejay-gate validate --spec {folder / SPEC_NAME}`\n"
    )
    return 0


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def run_pull_command(args: argparse.Namespace, env: Mapping[str, str], out: TextIO) -> int:
    """``bluejay-gate pull``: options from argv and the environment, then ``pull``."""
    from bluejay_gate.bluejay.address import DEFAULT_BASE_URL
    from bluejay_gate.bluejay.client import BluejayClient
    from bluejay_gate.bluejay.transport import validate_base_url

    api_key = env.get("BLUEJAY_API_KEY", "").strip()
    if not api_key:
        raise UsageError(
            "BLUEJAY_API_KEY is not set: export your Bluejay API key (in CI, from a secret)"
        )
    base_url = validate_base_url(args.base_url or env.get("BLUEJAY_BASE_URL") or DEFAULT_BASE_URL)
    with BluejayClient(api_key, base_url) as client:
        return pull(client, args.agent, Path(args.out), out, base_url=base_url, force=args.force)

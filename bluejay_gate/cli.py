"""Command line: parse argv and environment into options, call one function, exit.

Only ``main`` calls ``sys.exit``. Heavy modules are imported inside the subcommand
that needs them so ``--version`` and ``validate`` start fast.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from bluejay_gate import __version__
from bluejay_gate.bluejay.address import DEFAULT_BASE_URL
from bluejay_gate.errors import EXIT_INVALID, EXIT_NO_VERDICT, GateError, UsageError

if TYPE_CHECKING:
    from bluejay_gate.options import GateOptions

DEFAULT_SPEC = "bluejay-gate.yml"
DEFAULT_JUNIT = "bluejay-junit.xml"
DEFAULT_REPORT = "bluejay-report.json"
EXIT_CODES = "Exit codes: 0 pass, 1 a check failed, 2 invalid spec or usage, 3 no verdict."


def _duration(text: str) -> float:
    from bluejay_gate.model.durations import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _shard(text: str) -> tuple[int, int]:
    from bluejay_gate.model.shards import parse_shard

    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bluejay-gate",
        description="CI/CD quality gate for voice and chat agents tested on Bluejay.",
        epilog=EXIT_CODES,
    )
    parser.add_argument("--version", action="version", version=f"bluejay-gate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="run the gate against Bluejay",
        description="Run the gate against Bluejay: sync the agent, queue the spec's "
        "simulations (paid), wait until every conversation is scored, judge the thresholds "
        "and write the reports. Needs BLUEJAY_API_KEY in the environment (your Bluejay API "
        "key; in CI, from a secret); BLUEJAY_BASE_URL optionally points at another API.",
        epilog=EXIT_CODES,
    )
    run.add_argument("--spec", default=DEFAULT_SPEC, help=f"spec file (default {DEFAULT_SPEC})")
    run.add_argument("--junit", default=DEFAULT_JUNIT, help=f"JUnit XML path ({DEFAULT_JUNIT})")
    run.add_argument(
        "--report", default=DEFAULT_REPORT, help=f"JSON report path ({DEFAULT_REPORT})"
    )
    run.add_argument("--summary", default=None, help="also write the Markdown summary here")
    _add_base_url(run)
    run.add_argument(
        "--timeout", type=_duration, default=None, help="budget for the whole run (e.g. 30m)"
    )
    run.add_argument(
        "--dry-run", action="store_true", help="GET requests only: print the plan and exit"
    )
    run.add_argument(
        "--baseline",
        default=None,
        metavar="PATH|github",
        help="an earlier run's JSON report: delta(AGG) checks and every check's change; "
        "github: the base branch's latest (GitHub Actions)",
    )
    run.add_argument(
        "--shard",
        type=_shard,
        default=None,
        metavar="K/N",
        help="run the K-th of N balanced shards and write a shard report (see merge)",
    )
    run.add_argument(
        "--no-sync",
        action="store_true",
        help="do not create or update the agent: it must already match the spec (see sync)",
    )
    run.add_argument(
        "--rerun-failed",
        default=None,
        metavar="REPORT",
        help="queue only what did not pass in this earlier JSON report; reuse the rest",
    )
    add_ci_arguments(run)

    sync = sub.add_parser(
        "sync",
        help="create or update the agent only (before sharded runs)",
        description="Create or update the spec's agent in Bluejay and stop, queueing "
        "nothing: run it once before sharded `run --no-sync` jobs. Needs BLUEJAY_API_KEY in "
        "the environment.",
    )
    sync.add_argument("--spec", default=DEFAULT_SPEC, help=f"spec file ({DEFAULT_SPEC})")
    _add_base_url(sync)

    merge = sub.add_parser(
        "merge",
        help="the verdict of shard reports, as if one run",
        description="Merge every shard's JSON report into the verdict and reports of one "
        "run (offline: no key, no request), with the exit code that run would have had.",
    )
    merge.add_argument("--spec", default=DEFAULT_SPEC, help=f"spec file ({DEFAULT_SPEC})")
    merge.add_argument("reports", nargs="+", metavar="REPORT", help="every shard's JSON report")
    merge.add_argument("--junit", default=DEFAULT_JUNIT, help=f"JUnit XML path ({DEFAULT_JUNIT})")
    merge.add_argument(
        "--report", default=DEFAULT_REPORT, help=f"JSON report path ({DEFAULT_REPORT})"
    )
    merge.add_argument("--summary", default=None, help="also write the Markdown summary here")
    merge.add_argument(
        "--pr-comment",
        action="store_true",
        help="post the merged summary on the pull request (GitHub) or merge request (GitLab)",
    )

    run.add_argument(
        "--listen",
        default=None,
        metavar="HOST:PORT",
        help="with run.wait: webhook, receive Bluejay's webhooks here (register http(s)://HOST:PORT/)",
    )
    run.add_argument("--listen-tls-cert", default=None, help="PEM certificate: listen on https")
    run.add_argument("--listen-tls-key", default=None, help="PEM key of --listen-tls-cert")

    validate = sub.add_parser(
        "validate",
        help="check a spec offline",
        description="Check a spec file offline (no key, no request): its YAML, keys, "
        "thresholds and file references. Exit 0 when valid, 2 with FILE:LINE otherwise.",
    )
    validate.add_argument("--spec", default=DEFAULT_SPEC, help=f"spec file ({DEFAULT_SPEC})")

    sub.add_parser(
        "schema",
        help="print the spec's JSON Schema",
        description="Print the spec's JSON Schema (for editors: yaml-language-server).",
    )

    from bluejay_gate.demo import examples_help

    demo = sub.add_parser(
        "demo",
        help="run the gate against the built-in emulator on examples/",
        description="Run the real gate against the built-in Bluejay emulator on one of the "
        "examples (no key, nothing paid) and write its reports to --out. "
        f"{examples_help()}.",
    )
    demo.add_argument("--example", default="quickstart", help="example to run (quickstart)")
    demo.add_argument("--examples-dir", default=None, help="where the examples are")
    demo.add_argument("--out", default="bluejay-gate-demo", help="report folder")
    demo.add_argument(
        "--serve",
        action="store_true",
        help="keep the emulator serving the reports' links (transcripts, dashboard page) "
        "until Ctrl-C",
    )

    calls = sub.add_parser(
        "calls",
        help="manage golden calls (recorded calls as tests)",
        description="Manage golden calls: recorded calls kept in the repo and scored by "
        "Bluejay's POST /v1/evaluate as regression tests (the spec's calls: sets).",
    )
    calls_sub = calls.add_subparsers(dest="calls_command", metavar="ACTION", required=True)
    add = calls_sub.add_parser(
        "add",
        help="turn a scored Bluejay call into a golden-call file",
        description="Fetch a call log (and its transcript) from Bluejay and write it as a "
        "golden-call JSON file that validate accepts. Needs BLUEJAY_API_KEY.",
    )
    add.add_argument("--from-call-log", required=True, metavar="CALL_ID", help="Bluejay call id")
    add.add_argument("--to", default="calls", metavar="DIR", help="folder for the file (calls)")
    _add_base_url(add)

    pull = sub.add_parser(
        "pull",
        help="write a spec for an existing Bluejay setup",
        description="Read an agent's setup from Bluejay (GET requests only): the agent, its "
        "custom metrics, its simulations with their digital humans, and the latest completed "
        "run of each simulation; write it as DIR/bluejay-gate.yml with the long texts in "
        "files beside it and commented threshold suggestions. Needs BLUEJAY_API_KEY.",
    )
    pull.add_argument(
        "--agent",
        required=True,
        metavar="ID_OR_EXTERNAL_ID",
        help="the agent: Bluejay's id (all digits; tried first) or its external id",
    )
    pull.add_argument("--out", default=".", metavar="DIR", help="folder to write to (.)")
    pull.add_argument(
        "--force", action="store_true", help="overwrite bluejay-gate.yml and its files"
    )
    _add_base_url(pull)

    emulator = sub.add_parser(
        "emulator",
        help="serve the local Bluejay API emulator",
        description="Serve the local Bluejay API emulator (loopback) until Ctrl-C, for "
        "trying the gate or testing against it: BLUEJAY_BASE_URL=http://127.0.0.1:8787.",
    )
    from bluejay_gate.emulator.cli import add_arguments as add_emulator_arguments

    add_emulator_arguments(emulator)
    return parser


def add_ci_arguments(run: argparse.ArgumentParser) -> None:
    """``--baseline github``'s settings, the pull-request comment and what a job without
    the key does."""
    run.add_argument(
        "--baseline-artifact",
        default="bluejay-gate-reports",
        metavar="NAME",
        help="--baseline github: the artifact holding the report (bluejay-gate-reports)",
    )
    run.add_argument(
        "--baseline-workflow",
        default=None,
        metavar="FILE",
        help="--baseline github: the workflow file whose runs to use (default: this one)",
    )
    run.add_argument(
        "--baseline-max-age",
        type=_duration,
        default="14d",
        metavar="DURATION",
        help="--baseline github: warn when the baseline is older (14d)",
    )
    run.add_argument(
        "--pr-comment",
        action="store_true",
        help="post the summary on the pull request (GitHub) or merge request (GitLab)",
    )
    run.add_argument(
        "--on-missing-key",
        choices=("error", "skip"),
        default="error",
        help="without BLUEJAY_API_KEY (a fork's pull request): error (2) or skip (0)",
    )


def _add_base_url(parser: argparse.ArgumentParser) -> None:
    """``--base-url``, the same for every subcommand that talks to Bluejay."""
    parser.add_argument(
        "--base-url", default=None, help=f"API base URL (env BLUEJAY_BASE_URL, {DEFAULT_BASE_URL})"
    )


def resolve_run_options(args: argparse.Namespace, env: Mapping[str, str]) -> GateOptions:
    """argv + environment -> frozen options. Flags beat environment."""
    from bluejay_gate.bluejay.transport import validate_base_url
    from bluejay_gate.options import GateOptions

    api_key = env.get("BLUEJAY_API_KEY", "").strip()
    if not api_key:
        raise UsageError(
            "BLUEJAY_API_KEY is not set: export your Bluejay API key (in CI, from a secret)"
        )
    base_url = validate_base_url(args.base_url or env.get("BLUEJAY_BASE_URL") or DEFAULT_BASE_URL)
    return GateOptions(
        spec_path=Path(args.spec),
        api_key=api_key,
        base_url=base_url,
        junit=Path(args.junit) if getattr(args, "junit", None) else None,
        report=Path(args.report) if getattr(args, "report", None) else None,
        summary=Path(args.summary) if getattr(args, "summary", None) else None,
        timeout=getattr(args, "timeout", None),
        dry_run=bool(getattr(args, "dry_run", False)),
        shard=getattr(args, "shard", None),
        no_sync=bool(getattr(args, "no_sync", False)),
        rerun_failed=Path(args.rerun_failed) if getattr(args, "rerun_failed", None) else None,
        listen=getattr(args, "listen", None),
        listen_tls_cert=Path(args.listen_tls_cert)
        if getattr(args, "listen_tls_cert", None)
        else None,
        listen_tls_key=Path(args.listen_tls_key) if getattr(args, "listen_tls_key", None) else None,
        webhook_secret=env.get("BLUEJAY_WEBHOOK_SECRET", "").strip(),
        pr_comment=bool(getattr(args, "pr_comment", False)),
        **_baseline_options(args),
    )


def _baseline_options(args: argparse.Namespace) -> dict[str, Any]:
    if not getattr(args, "baseline", None):
        return {}
    if args.baseline != "github":
        return {"baseline": Path(args.baseline)}
    from bluejay_gate.ci.github_baseline import BaselineSettings

    return {
        "baseline_github": BaselineSettings(
            artifact=args.baseline_artifact,
            workflow=args.baseline_workflow,
            max_age=args.baseline_max_age,
            report_name=Path(args.report).name if args.report else "bluejay-report.json",
        )
    }


def install_signal_handlers(cancel: threading.Event, hooks: list[Callable[[], None]]) -> list[int]:
    """First SIGINT/SIGTERM: cancel gracefully (end conversations, write reports).
    Second: exit at once with 3. Returns the list of signals received (filled later)."""
    received: list[int] = []

    def handler(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        if len(received) > 1:
            os._exit(EXIT_NO_VERDICT)
        name = signal.Signals(signum).name
        sys.stderr.write(
            f"\n{name} received: ending running conversations and writing reports "
            "(send it again to exit at once)\n"
        )
        cancel.set()
        for hook in hooks:
            hook()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    return received


def exit_now(code: int) -> None:
    """After a signal, once the reports are written: exit without waiting for worker
    threads whose requests were abandoned (a hung poll would hold a normal exit). Nothing
    is left to clean up by then (a downloaded baseline is removed once it has been read)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def cmd_run(args: argparse.Namespace, env: Mapping[str, str], out: TextIO) -> int:
    from bluejay_gate.ci import github
    from bluejay_gate.gate import Runtime, run_gate
    from bluejay_gate.report.console import use_color
    from bluejay_gate.report.progress import ConsoleProgress

    _mask_key(env, out)
    if not env.get("BLUEJAY_API_KEY", "").strip() and args.on_missing_key == "skip":
        return _skip_without_key(env, out)
    color = use_color(out, env)
    rt = Runtime(out=out, emit=ConsoleProgress(out, color=color), env=env, color=color)
    try:
        opts = resolve_run_options(args, env)
        received = install_signal_handlers(rt.cancel, rt.on_cancel)
        code = run_gate(opts, rt)
    except GateError as exc:
        if github.in_actions(env) and not rt.outputs_written:
            _github_error(exc, args, env, out)
        raise
    if received:  # only in the process the signal was sent to: tests calling main live on
        exit_now(code)
    return code


def _mask_key(env: Mapping[str, str], out: TextIO) -> None:
    """In Actions, mask the key, the webhook signing secret and the forge tokens before
    anything else is printed."""
    from bluejay_gate.ci import github

    if not github.in_actions(env):
        return
    names = ("BLUEJAY_API_KEY", "BLUEJAY_WEBHOOK_SECRET", *github.TOKEN_VARIABLES)
    for secret in (env.get(n, "").strip() for n in names):
        if secret:
            out.write(github.mask_command(secret) + "\n")
    out.flush()


def _skip_without_key(env: Mapping[str, str], out: TextIO) -> int:
    """``--on-missing-key skip`` (a fork's pull request gets no secrets): one line, nothing
    sent, exit 0; in Actions the outputs say ``skipped``."""
    from bluejay_gate.ci import github

    line = (
        "BLUEJAY_API_KEY is not set (a fork's pull request gets no secrets): gate skipped, "
        "nothing sent (on-missing-key: skip)"
    )
    if github.in_actions(env):
        out.write(f"::notice title=bluejay-gate::{github.escape_data(line)}\n")
        if output_path := env.get("GITHUB_OUTPUT"):
            github.write_outputs(output_path, github.skipped_outputs())
        if summary_path := env.get("GITHUB_STEP_SUMMARY"):
            github.append_step_summary(summary_path, f"> ⏭️ bluejay-gate: {line}\n")
    else:
        out.write(line + "\n")
    out.flush()
    return 0


def _github_error(
    exc: GateError, args: argparse.Namespace, env: Mapping[str, str], out: TextIO
) -> None:
    """In Actions, an error before any verdict still gets an annotation and outputs."""
    from bluejay_gate.ci import github
    from bluejay_gate.errors import SpecError

    if isinstance(exc, SpecError) and exc.file:
        props = f"file={github.escape_property(github.spec_path_for_annotations(exc.file, env))}"
        if exc.line:
            props += f",line={exc.line}"
        detail = f"{exc.key}: {exc.detail}" if exc.key else exc.detail
        out.write(f"::error {props},title=bluejay-gate spec::{github.escape_data(detail)}\n")
    else:
        out.write(f"::error title=bluejay-gate::{github.escape_data(str(exc))}\n")
    if output_path := env.get("GITHUB_OUTPUT"):
        github.write_outputs(
            output_path,
            github.outputs_for(
                exit_code=exc.exit_code, agent_id=None, run_ids=(), junit=None, report=None
            ),
        )
    out.flush()


def cmd_validate(args: argparse.Namespace, env: Mapping[str, str], out: TextIO) -> int:
    from bluejay_gate.spec.load import load_spec

    spec = load_spec(Path(args.spec), env)
    checks = sum(len(spec.checks_for(s)) for s in spec.simulations)
    checks += sum(len(spec.checks_for(s)) for s in spec.calls)
    sims = len(spec.simulations)
    calls = sum(len(s.files) for s in spec.calls)
    golden = f", {calls} recorded call{'s' if calls != 1 else ''}" if spec.calls else ""
    out.write(
        f"{args.spec}: valid — agent {spec.agent.name!r}, {sims} simulation"
        f"{'s' if sims != 1 else ''}{golden}, {checks} check{'s' if checks != 1 else ''}\n"
    )
    return 0


def cmd_schema(out: TextIO) -> int:
    import json

    from bluejay_gate.spec.schema import spec_json_schema

    out.write(json.dumps(spec_json_schema(), indent=2) + "\n")
    return 0


def cmd_sync(args: argparse.Namespace, env: Mapping[str, str], out: TextIO) -> int:
    """Create or update the agent, nothing else: the one sync before sharded runs."""
    from bluejay_gate.ci import github
    from bluejay_gate.gate import Runtime, sync_agent

    _mask_key(env, out)
    try:
        return sync_agent(resolve_run_options(args, env), Runtime(out=out, env=env))
    except GateError as exc:
        if github.in_actions(env):
            _github_error(exc, args, env, out)
        raise


def cmd_merge(args: argparse.Namespace, env: Mapping[str, str], out: TextIO) -> int:
    from bluejay_gate.merge import MergeOptions, run_merge
    from bluejay_gate.report.console import use_color

    opts = MergeOptions(
        spec_path=Path(args.spec),
        reports=tuple(Path(p) for p in args.reports),
        junit=Path(args.junit) if args.junit else None,
        report=Path(args.report) if args.report else None,
        summary=Path(args.summary) if args.summary else None,
        pr_comment=bool(args.pr_comment),
    )
    try:
        return run_merge(opts, env, out, color=use_color(out, env))
    except GateError as exc:
        from bluejay_gate.ci import github

        if github.in_actions(env):  # a refused merge still gets an annotation and outputs
            _github_error(exc, args, env, out)
        raise


def dispatch(args: argparse.Namespace, env: Mapping[str, str], out: TextIO) -> int:
    if args.command == "run":
        return cmd_run(args, env, out)
    if args.command == "sync":
        return cmd_sync(args, env, out)
    if args.command == "merge":
        return cmd_merge(args, env, out)
    if args.command == "validate":
        return cmd_validate(args, env, out)
    if args.command == "schema":
        return cmd_schema(out)
    if args.command == "demo":
        from bluejay_gate.demo import run_demo

        return run_demo(args, env, out)
    if args.command == "calls":
        from bluejay_gate.golden import run_calls_command

        return run_calls_command(args, env, out)
    if args.command == "pull":
        from bluejay_gate.manage.pull import run_pull_command

        return run_pull_command(args, env, out)
    if args.command == "emulator":
        from bluejay_gate.emulator.cli import run as run_emulator

        return run_emulator(args)
    return EXIT_INVALID


def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        sys.exit(EXIT_INVALID)
    try:
        code = dispatch(args, os.environ, sys.stdout)
    except GateError as exc:
        sys.stderr.write(f"bluejay-gate: error: {exc}\n")
        code = exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("bluejay-gate: interrupted\n")
        code = EXIT_NO_VERDICT
    except Exception as exc:  # noqa: BLE001 - never a traceback for users
        sys.stderr.write(
            f"bluejay-gate: internal error ({type(exc).__name__}): {exc}. "
            "Please report it with the command you ran.\n"
        )
        code = EXIT_NO_VERDICT
    sys.exit(code)

"""load_spec on bad specs: one SpecError line naming file, line, key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from bluejay_gate.errors import EXIT_INVALID, SpecError
from bluejay_gate.spec.load import load_spec

OK = """\
version: 1
agent:
  name: Support Bot
simulations:
  - id: 4821
thresholds:
  score: value >= 80
"""


def fail(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> SpecError:
    path = tmp_path / "spec.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(path, env=env or {})
    error = info.value
    assert "\n" not in str(error)
    assert "\r" not in str(error)
    assert error.exit_code == EXIT_INVALID
    assert str(error).startswith(f"{path}:")
    return error


def rest(error: SpecError) -> str:
    """The message without the file name: ``line: key: message``."""
    return str(error).removeprefix(f"{error.file}:")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "thresholds:",
            "treshold:",
            "6: unknown key `treshold` — did you mean `thresholds`?",
        ),
        (
            "  name: Support Bot",
            "  nme: Support Bot",
            "3: agent: unknown key `nme` — did you mean `name`?",
        ),
        (
            "  - id: 4821",
            "  - id: 4821\n    digital_human_id: [1]",
            "6: simulations[0]: unknown key `digital_human_id` — did you mean `digital_human_ids`?",
        ),
        (
            "version: 1",
            "version: 1\nrun:\n  time_out: 5m",
            "3: run: unknown key `time_out` — did you mean `timeout`?",
        ),
        (
            "version: 1",
            "version: 1\nmax_parallel: 3",
            "2: unknown key `max_parallel` — it belongs under `run:`",
        ),
        (
            "version: 1",
            "version: 1\nfrobnicate: 3",
            "2: unknown key `frobnicate`; allowed here: "
            "version, agent, run, custom_metrics, simulations, calls, thresholds",
        ),
        (
            "  score: value >= 80",
            "  score:\n    check: value >= 80\n    level: warn",
            '9: thresholds."score": unknown key `level`; '
            "allowed here: check, each_digital_human, confidence, severity, min_samples",
        ),
        (
            "  name: Support Bot",
            "  name: Support Bot\n  system_prompt: {path: a.md}",
            "4: agent.system_prompt: unknown key `path`; allowed here: file",
        ),
        (
            "  name: Support Bot",
            "  name: Support Bot\n  external_agent_id: x",
            "4: agent: unknown key `external_agent_id` — did you mean `external_id`?",
        ),
    ],
)
def test_unknown_keys_suggest(tmp_path: Path, old: str, new: str, expected: str) -> None:
    """Unknown keys anywhere are reported at their own line with the closest allowed key."""
    assert rest(fail(tmp_path, OK.replace(old, new, 1))) == expected


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  name: Support Bot",
            "  name: 12",
            "3: agent.name: expected text, got a number 12: put it in quotes",
        ),
        ("  name: Support Bot", "  name: ''", "3: agent.name: must not be empty"),
        (
            "  name: Support Bot",
            "  name: Bot\n  goals: [1, [2]]",
            "4: agent.goals[0]: expected text, got a number 1: put it in quotes",
        ),
        (
            "  name: Support Bot",
            "  name: Bot\n  mode: voice",
            "4: agent.mode: expected 'VOICE' or 'TEXT', got text \"voice\"",
        ),
        (
            "  name: Support Bot",
            "  name: Bot\n  connection_type: PHONEY",
            "4: agent.connection_type: expected 'SMS', 'HTTP_WEBHOOK', 'PHONE', 'SIP', "
            "'WEBSOCKET', 'LIVEKIT' or 'PIPECAT', got text \"PHONEY\"",
        ),
        (
            "  name: Support Bot",
            "  name: Bot\n  redact_pii: maybe",
            '4: agent.redact_pii: expected true or false, got text "maybe"',
        ),
        (
            "  name: Support Bot",
            "  name: Bot\n  livekit_metadata: [1]",
            "4: agent.livekit_metadata: expected a mapping (`key: value` lines), got a list",
        ),
        (
            "  name: Support Bot",
            "  name: Bot\n  system_prompt: 5",
            "4: agent.system_prompt: expected text or {file: path}, got a number",
        ),
        (
            "  name: Support Bot",
            "  name: Bot\n  system_prompt:",
            "4: agent.system_prompt: is empty: give a value or remove the key",
        ),
        (
            "  name: Support Bot",
            "  name: Bot\n  external_id: a\n  id: 3",
            "2: agent: give `external_id` or `id`, not both: external_id to create-or-update, "
            "id to update exactly that agent",
        ),
        (
            "agent:\n  name: Support Bot",
            "agent: Support Bot",
            '2: agent: expected a mapping (`key: value` lines), got text "Support Bot"',
        ),
        (
            "  - id: 4821",
            "  - id: true",
            "5: simulations[0].id: expected an id (a number or text), got true/false",
        ),
        (
            "  - id: 4821",
            "  - id: 4821\n    digital_human_ids: []",
            "6: simulations[0].digital_human_ids: must not be empty: list at least 1 entry",
        ),
        (
            "  - id: 4821",
            "  - id: 4821\n    runs_per_digital_human: 0",
            "6: simulations[0].runs_per_digital_human: must be more than 0, got a number 0",
        ),
        (
            "simulations:\n  - id: 4821",
            "simulations: {id: 4821}",
            "4: simulations: expected a list (`- item` lines or [a, b]), got a mapping",
        ),
        (
            "simulations:\n  - id: 4821\n",
            "",
            "1: missing required key `simulations`: "
            "add a `simulations:` list with at least one `- id:` or `- name:` "
            "(or a `calls:` list of golden calls)",
        ),
        (
            "agent:\n  name: Support Bot\n",
            "",
            "1: missing required key `agent`: add an `agent:` section with at least `name:`",
        ),
        ("version: 1\n", "", "1: missing `version`: add `version: 1` at the top"),
        (
            "version: 1",
            "version: '1'",
            '1: version: unsupported spec version "1": this bluejay-gate reads version 1',
        ),
        (
            "version: 1",
            "version: true",
            "1: version: unsupported spec version true: this bluejay-gate reads version 1",
        ),
    ],
)
def test_wrong_types_named_plainly(tmp_path: Path, old: str, new: str, expected: str) -> None:
    """Wrong types, empty values and missing keys are named in plain words at their line."""
    assert rest(fail(tmp_path, OK.replace(old, new, 1))) == expected


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ("timeout: 0s", "run.timeout: must be more than 0, got '0s'"),
        ("timeout: -5", "run.timeout: duration -5 must be a finite number of seconds >= 0"),
        ("poll_interval: fast", "run.poll_interval: cannot read duration 'fast'"),
        ("max_parallel: 0", "run.max_parallel: must be at least 1, got a number 0"),
        ("max_parallel: 2.5", "run.max_parallel: expected a whole number, got a number 2.5"),
        ("allow_incomplete: 150%", "run.allow_incomplete: '150%' must be between 0% and 100%"),
        (
            "allow_incomplete: 5",
            "run.allow_incomplete: 5 is more than 1 as a fraction: write 5% if you mean percent",
        ),
        ("allow_incomplete: lots", "run.allow_incomplete: cannot read 'lots'"),
        ("timeout: true", "run.timeout: expected a duration, got True"),
    ],
)
def test_run_errors(tmp_path: Path, run: str, expected: str) -> None:
    """Bad durations, counts and shares under run: say what is accepted."""
    error = fail(tmp_path, OK + f"run:\n  {run}\n")
    assert rest(error).startswith(f"9: {expected}")
    assert error.line == 9


@pytest.mark.parametrize(
    ("thresholds", "expected"),
    [
        (
            '  "Empathy":\n    - mean >= 7\n    - mean => 4',
            "9: thresholds.\"Empathy\"[1]: cannot read threshold 'mean => 4'",
        ),
        ('  "Empathy": avg >= 7', "7: thresholds.\"Empathy\": unknown aggregate 'avg'"),
        ('  "Empathy": []', '7: thresholds."Empathy": an empty list checks nothing'),
        ('  "": mean > 1', '7: thresholds."": a metric name must not be empty'),
        (
            '  "Empathy": {check: mean > 1, severity: fatal}',
            "7: thresholds.\"Empathy\".severity: expected 'error' or 'warn'",
        ),
        (
            '  "Empathy": {check: mean > 1, min_samples: 0}',
            '7: thresholds."Empathy".min_samples: must be at least 1',
        ),
        ('  "Empathy": {severity: warn}', '7: thresholds."Empathy": missing required key `check`'),
        ('  "Empathy": [mean > 1, 7]', '7: thresholds."Empathy"[1]: expected an expression'),
        (
            '  "Empathy": value >= 7',
            '7: thresholds."Empathy": `value` applies only to the run-level `score`',
        ),
        ("  score: p50 >= 80", '7: thresholds."score": `score` is Bluejay\'s one run-level number'),
        ("  score: value >= 80%", '7: thresholds."score": `score` runs from 0 to 100'),
        (
            "  goal_success: pass_rate >= 90",
            "7: thresholds.\"goal_success\": 'pass_rate >= 90': a rate is a share",
        ),
        (
            "  goal_success: fail_count <= 5%",
            "7: thresholds.\"goal_success\": 'fail_count <= 5%': `fail_count` is a number",
        ),
    ],
)
def test_threshold_errors_have_their_own_line(
    tmp_path: Path, thresholds: str, expected: str
) -> None:
    """A bad threshold is reported at its own line with the quoted metric key path."""
    text = OK.replace("  score: value >= 80", thresholds)
    assert rest(fail(tmp_path, text)).startswith(expected)


def test_simulation_threshold_error_path(tmp_path: Path) -> None:
    """Errors inside a simulation's thresholds name the simulation's index and the metric."""
    text = OK.replace(
        "  - id: 4821",
        '  - id: 4821\n    thresholds:\n      "Tone":\n'
        "        - mean > 1\n        - check: mean >> 2",
    )
    error = fail(tmp_path, text)
    assert error.line == 9
    assert error.key == 'simulations[0].thresholds."Tone"[1].check'


def test_first_error_in_file_order(tmp_path: Path) -> None:
    """With several problems, the one earliest in the file is reported."""
    text = (
        "version: 1\nagent:\n  name: 5\n  nmae: x\nrun:\n  timeout: never\nsimulations: [{id: 1}]\n"
    )
    assert (
        rest(fail(tmp_path, text))
        == "3: agent.name: expected text, got a number 5: put it in quotes"
    )


def test_nothing_to_check(tmp_path: Path) -> None:
    """A simulation with no check at all is an error: a gate must not pass silently."""
    text = OK.replace("thresholds:\n  score: value >= 80\n", "thresholds: {}\n")
    error = fail(tmp_path, text)
    assert rest(error).startswith("5: simulations[0]: simulation 4821 has nothing to check")


def test_duplicate_simulation_by_name(tmp_path: Path) -> None:
    """The same simulation name (without id) twice is an error at the second one."""
    text = OK.replace("  - id: 4821", "  - name: Smoke\n  - name: Smoke")
    assert rest(fail(tmp_path, text)).startswith(
        "6: simulations[1]: simulation name 'Smoke' is listed twice: line 5 ('Smoke') and "
        "line 6 ('Smoke')"
    )


def test_duplicate_simulation_id_spelled_twice(tmp_path: Path) -> None:
    """4821 and "04821" are one Bluejay simulation (ids compare as integers)."""
    text = OK.replace("  - id: 4821", '  - id: 4821\n  - id: "04821"\n    name: Again')
    assert rest(fail(tmp_path, text)) == (
        "6: simulations[1]: simulation id 4821 is listed twice: line 5 (4821) and line 6 "
        "('04821') would queue the same simulation twice; remove one (use repeat to run it "
        "more often)"
    )


def test_distinct_ids_that_only_look_alike_are_fine(tmp_path: Path) -> None:
    """48210 is not 4821: no duplicate."""
    text = OK.replace("  - id: 4821", "  - id: 4821\n  - id: 48210")
    path = tmp_path / "spec.yml"
    path.write_text(text)
    assert [s.id for s in load_spec(path, {}).simulations] == ["4821", "48210"]


@pytest.mark.parametrize(
    "key",
    [
        "api_key",
        "apiKey",
        "API-KEY",
        "x-api-key",
        "X_Api_Key",
        "bluejay_api_key",
        "bluejay_key",
        "Authorization",
        "bearer_token",
    ],
)
def test_key_like_fields_point_to_the_environment(tmp_path: Path, key: str) -> None:
    """A key-like field anywhere is an error that points to BLUEJAY_API_KEY."""
    text = OK.replace("  - id: 4821", f"  - id: 4821\n    livekit_metadata:\n      {key}: abc")
    error = fail(tmp_path, text)
    assert rest(error) == (
        f"7: simulations[0].livekit_metadata: the spec must not hold the API key: remove `{key}` "
        "and set BLUEJAY_API_KEY in the environment (a CI secret)"
    )


def test_key_like_top_level_beats_unknown_key(tmp_path: Path) -> None:
    """api_key at the top level gets the API-key message, not the unknown-key one."""
    error = fail(tmp_path, "api_key: sk-123\n" + OK)
    assert rest(error) == (
        "1: the spec must not hold the API key: remove `api_key` and set BLUEJAY_API_KEY in the "
        "environment (a CI secret)"
    )
    assert "sk-123" not in str(error)


def test_passwords_are_legitimate_agent_fields(tmp_path: Path) -> None:
    """websocket_password and sip_password are agent fields, not API keys."""
    text = OK.replace(
        "  name: Support Bot", "  name: Bot\n  websocket_password: a\n  sip_password: b"
    )
    path = tmp_path / "spec.yml"
    path.write_text(text, encoding="utf-8")
    assert load_spec(path, env={}).agent.fields["sip_password"] == "b"


def test_metric_named_like_a_key_is_allowed(tmp_path: Path) -> None:
    """Metric names are not fields: a metric called Authorization is fine."""
    text = OK + "  Authorization: pass_rate >= 90%\n"
    path = tmp_path / "spec.yml"
    path.write_text(text, encoding="utf-8")
    assert "Authorization" in load_spec(path, env={}).thresholds


def test_bluejay_api_key_variable_is_refused(tmp_path: Path) -> None:
    """${BLUEJAY_API_KEY} anywhere is refused even when it is set, and the key is not shown."""
    text = OK.replace("  name: Support Bot", "  name: Bot\n  folder: 'k=${BLUEJAY_API_KEY}'")
    error = fail(tmp_path, text, env={"BLUEJAY_API_KEY": "sk-secret-value-123"})
    assert rest(error).startswith(
        "4: agent.folder: the spec must not hold the API key: remove `${BLUEJAY_API_KEY}`"
    )
    assert "sk-secret-value-123" not in str(error)


def test_api_key_value_pasted_in_is_refused(tmp_path: Path) -> None:
    """A value equal to the API key (pasted, or via another variable) is refused, never echoed."""
    secret = "sk-live-0123456789"
    text = OK.replace("  name: Support Bot", "  name: Bot\n  websocket_password: ${OTHER}")
    error = fail(tmp_path, text, env={"BLUEJAY_API_KEY": secret, "OTHER": secret})
    assert rest(error).startswith("4: agent.websocket_password: the spec must not hold the API key")
    assert secret not in str(error)
    assert secret not in repr(error)


def test_unset_variable(tmp_path: Path) -> None:
    """An unset ${VAR} names the variable and where it is used."""
    text = OK.replace("  name: Support Bot", "  name: Bot\n  phone_number: ${SUPPORT_BOT_PHONE}")
    error = fail(tmp_path, text)
    assert "environment variable SUPPORT_BOT_PHONE is not set (used at agent.phone_number)" in str(
        error
    )
    assert (error.line, error.key) == (4, "agent.phone_number")


def test_malformed_variable(tmp_path: Path) -> None:
    """A ${ that is not ${NAME} is an error that shows the escape."""
    text = OK.replace("  name: Support Bot", "  name: Bot\n  folder: '${1abc}'")
    assert "malformed `${`" in str(fail(tmp_path, text))


def test_values_from_environment_are_not_echoed(tmp_path: Path) -> None:
    """A type error on a substituted value names the variable, not its (maybe secret) value."""
    text = OK + "run:\n  max_parallel: ${PARALLEL}\n"
    error = fail(tmp_path, text, env={"PARALLEL": "s3cr3t-value"})
    assert rest(error) == "9: run.max_parallel: expected a whole number, got text from ${PARALLEL}"
    assert "s3cr3t" not in str(error)


def test_file_reference_errors(tmp_path: Path) -> None:
    """A missing, non-UTF-8 or folder {file:} is an error at its line."""
    base = OK.replace("  name: Support Bot", "  name: Bot\n  knowledge_base: {file: %s}")
    assert rest(fail(tmp_path, base % "kb/none.md")).startswith(
        "4: agent.knowledge_base: file 'kb/none.md' not found: "
        "the path is relative to the spec's folder"
    )
    (tmp_path / "latin1.md").write_bytes("caf\xe9".encode("latin-1"))
    assert "is not UTF-8 text" in str(fail(tmp_path, base % "latin1.md"))
    (tmp_path / "folder").mkdir()
    assert "is a folder, not a file" in str(fail(tmp_path, base % "folder"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "version: 1\nagent:\n  name: Bot\n  name: Other\n",
            "4: duplicate key `name` (first at line 3): keep one of them",
        ),
        ("version: 1\nagent: {name: [a, b}\n", "2: invalid YAML:"),
        (
            "version: 1\n  bad indent: 2\n",
            "2: indentation: this line does not line up with the keys above it, or a value "
            "holds ': ' unquoted (use spaces, not tabs)",
        ),
        ("version: 1\nagent:\n\tname: x\n", "3: indentation: a tab indents this line (use spaces"),
        (
            "version: 1\nagent:\n  name: x\n goals: [a]\n",
            "4: indentation: this line does not line up with the lines above it (use spaces, "
            "not tabs)",
        ),
        ("version: 1\nagent: *nothing\n", "2: invalid YAML: found undefined alias 'nothing'"),
        ("version: 1\nagent: !custom {name: x}\n", "2: unsupported YAML tag !custom: remove it"),
        ("version: 1\nagent: !!set {a, b}\n", "2: unsupported YAML tag !!set: remove it"),
        (
            "version: 1\nagent: &a {name: x, self: *a}\n",
            "2: an alias refers to the mapping or list that contains it",
        ),
        ("version: 1\nx: \x07\n", "2: character U+0007 is not allowed in YAML: remove it"),
        ("", "1: the spec is empty"),
        ("# only a comment\n", "1: the spec is empty"),
        (
            "just text\n",
            "1: the spec must be a mapping with `version`, `agent`, `simulations` and "
            "`thresholds`, found a single value",
        ),
        ("[1, 2]\n", "1: the spec must be a mapping"),
        ("? [a, b]\n: 1\n", "1: a mapping key must be plain text, not a list or mapping"),
    ],
)
def test_yaml_problems(tmp_path: Path, text: str, expected: str) -> None:
    """YAML syntax errors, duplicates, tags, cycles and empty files are SpecErrors with a line."""
    assert rest(fail(tmp_path, text)).startswith(expected)


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    """A billion-laughs document stops with an error instead of eating memory."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    error = fail(tmp_path, "\n".join(lines) + "\n")
    assert "expands to more than" in str(error)


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    """Absurdly nested YAML is an error, not a RecursionError."""
    error = fail(tmp_path, "version: 1\nagent: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nested too deeply" in str(error)


def test_unreadable_spec_files(tmp_path: Path) -> None:
    """A missing file, a folder and non-UTF-8 bytes are SpecErrors naming the file."""
    with pytest.raises(SpecError) as info:
        load_spec(tmp_path / "nope.yml", env={})
    assert (
        str(info.value)
        == f"{tmp_path / 'nope.yml'}: spec file not found: create it or pass --spec PATH"
    )
    with pytest.raises(SpecError) as info:
        load_spec(tmp_path, env={})
    assert "is a folder, not a spec file" in str(info.value)
    bad = tmp_path / "latin1.yml"
    bad.write_bytes(b"version: 1\nagent:\n  name: caf\xe9\n")
    with pytest.raises(SpecError) as info:
        load_spec(bad, env={})
    assert info.value.line == 3
    assert "not UTF-8 text" in str(info.value)


def test_odd_metric_names_stay_on_one_line(tmp_path: Path) -> None:
    """A metric name with a newline is escaped in the key path, keeping the message one line."""
    text = OK.replace("  score: value >= 80", '  "Line\\nbreak\\u2028": bogus')
    error = fail(tmp_path, text)
    assert error.key == 'thresholds."Line\\nbreak\\u2028"'
    assert len(str(error).splitlines()) == 1

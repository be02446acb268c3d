"""``${VAR}`` substitution from the environment, and the guard that keeps the API key (and
the webhook signing secret) out of the spec. Both work on the YAML values before the models
see them, so every problem keeps its line. Values read from the environment are never
echoed in a message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bluejay_gate.spec.messages import Problem, key_path
from bluejay_gate.spec.yamlpos import Located
from bluejay_gate.spec.yamlpos import Path as KeyPath

API_KEY_ENV = "BLUEJAY_API_KEY"
WEBHOOK_SECRET_ENV = "BLUEJAY_WEBHOOK_SECRET"  # noqa: S105 - a variable's name, not a secret
# What each guarded variable holds, as the messages name it.
_SECRETS = {API_KEY_ENV: "the API key", WEBHOOK_SECRET_ENV: "the webhook signing secret"}

# Key names that can only mean "the API key", compared without case and separators.
# (websocket_password / sip_password are legitimate agent fields and are not here.)
_KEY_LIKE = frozenset(
    {
        "apikey",
        "xapikey",
        "bluejayapikey",
        "bluejaykey",
        "bluejaytoken",
        "bluejayapitoken",
        "apitoken",
        "authorization",
        "bearertoken",
    }
)
# Key names that can only mean "the webhook signing secret".
_SECRET_LIKE = frozenset(
    {"webhooksecret", "bluejaywebhooksecret", "signingsecret", "webhooksigningsecret"}
)
_VAR = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\{")


def _is_metric_position(path: KeyPath) -> bool:
    """True when a key at ``path`` is a metric name (a child of a thresholds mapping)."""
    return (len(path) == 1 and path[0] == "thresholds") or (
        len(path) == 3 and path[0] == "simulations" and path[2] == "thresholds"
    )


def check_key_like(located: Located, value: Any, path: KeyPath, problems: list[Problem]) -> None:
    if isinstance(value, dict):
        metric_names = _is_metric_position(path)
        for key, child in value.items():
            bare = re.sub(r"[^a-z0-9]", "", key.lower())
            env_name = (
                API_KEY_ENV
                if bare in _KEY_LIKE
                else WEBHOOK_SECRET_ENV
                if bare in _SECRET_LIKE
                else None
            )
            if not metric_names and env_name is not None:
                problems.append(
                    Problem(
                        located.line_of((*path, key)),
                        -1,
                        path,
                        f"the spec must not hold {_SECRETS[env_name]}: remove "
                        f"`{_one_line(key)}` and set {env_name} in the environment (a CI secret)",
                    )
                )
            check_key_like(located, child, (*path, key), problems)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            check_key_like(located, child, (*path, index), problems)


def substitute(
    located: Located, env: Mapping[str, str], problems: list[Problem]
) -> tuple[Any, dict[KeyPath, list[str]]]:
    """Replace ``${VAR}`` in every string value; record which paths came from which vars."""
    from_env: dict[KeyPath, list[str]] = {}
    secrets = {name: env.get(name, "") for name in _SECRETS}

    def walk(value: Any, path: KeyPath) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*path, i)) for i, v in enumerate(value)]
        if not isinstance(value, str):
            return value
        line = located.line_of(path)
        names: list[str] = []

        def replace(match: re.Match[str]) -> str:
            token = match.group(0)
            if token == "$${":  # noqa: S105 - the escape for a literal ${, not a secret
                return "${"
            name = match.group(1)
            if name is None:
                problems.append(
                    Problem(
                        line,
                        1,
                        path,
                        "malformed `${`: write ${NAME} (letters, digits, _) to read the "
                        "environment, or $${ for a literal ${",
                    )
                )
                return token
            if name in _SECRETS:
                problems.append(
                    Problem(
                        line,
                        -1,
                        path,
                        f"the spec must not hold {_SECRETS[name]}: remove `${{{name}}}` — the "
                        f"gate reads {name} from the environment itself (a CI secret)",
                    )
                )
                return token
            names.append(name)
            if name not in env:
                problems.append(
                    Problem(
                        line,
                        1,
                        path,
                        f"environment variable {name} is not set (used at {key_path(path)}): "
                        "set it, or write $${ for a literal ${",
                    )
                )
                return token
            return env[name]

        result = _VAR.sub(replace, value)
        if names:
            from_env[path] = names
        for env_name, secret in secrets.items():
            if len(secret) >= 8 and secret in result:
                problems.append(
                    Problem(
                        line,
                        -1,
                        path,
                        f"the spec must not hold {_SECRETS[env_name]}: this value is "
                        f"{env_name}; remove it and let the gate read {env_name} from the "
                        "environment (a CI secret)",
                    )
                )
        return result

    return walk(located.value, ()), from_env


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())

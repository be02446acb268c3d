"""The spec file's JSON Schema (draft 2020-12), generated from the pydantic models.

Editors read the committed ``bluejay-gate.schema.json`` at the repository root; after
changing a model, regenerate it with

    python -m bluejay_gate.spec.schema > bluejay-gate.schema.json

(``tests/unit/test_spec_fixtures.py`` fails while the committed file is stale). Writes
nothing itself; ``bluejay-gate schema`` prints the same schema.
"""

from __future__ import annotations

import json
from typing import Any

from bluejay_gate.spec.spec_model import SpecModel

SCHEMA_ID = (
    "https://raw.githubusercontent.com/bluejay-gate/bluejay-gate/main/bluejay-gate.schema.json"
)


def spec_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the spec file, generated from the pydantic models."""
    body = SpecModel.model_json_schema()
    body.pop("title", None)
    description = body.pop("description", "")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "bluejay-gate spec",
        "description": (
            f"{description} The YAML file that tells bluejay-gate which agent to create or "
            "update, which Bluejay simulations to run, and which thresholds the results must "
            "meet. ${VAR} in any string value is read from the environment ($${ for a "
            "literal ${). The API key never goes in this file: set BLUEJAY_API_KEY."
        ).strip(),
        **body,
        "patternProperties": {
            "^x-": {
                "description": (
                    "Ignored by bluejay-gate: a place for YAML anchors shared by other keys."
                ),
                "examples": [{"runs_per_digital_human": 2}],
            }
        },
    }


def schema_text() -> str:
    """The committed ``bluejay-gate.schema.json``, byte for byte."""
    return json.dumps(spec_json_schema(), indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":  # python -m bluejay_gate.spec.schema > bluejay-gate.schema.json
    import sys

    sys.stdout.write(schema_text())

"""The files the project's shared folder (next to the checkout, ``../shared``) holds and
some tests need: Bluejay's OpenAPI document and the JUnit XSDs. Without them (a plain
clone) those tests skip, all with the one reason below; every other test runs.

Tests that find their need only halfway are marked ``needs_shared`` (skipped before
they start, see tests/conftest.py); the loaders below skip the rest.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
import xmlschema

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
OPENAPI_PATH = SHARED / "bluejay-openapi.json"
SCHEMAS = SHARED / "schemas"
JUNIT_XSD = SCHEMAS / "jenkins-xunit-junit-10.xsd"
ANT_JUNIT_XSD = SCHEMAS / "windyroad-JUnit.xsd"
NEEDED = (OPENAPI_PATH, JUNIT_XSD, ANT_JUNIT_XSD)

MISSING_REASON = (
    f"needs_shared: Bluejay's OpenAPI document and the JUnit XSDs are not in {SHARED}; "
    "put bluejay-openapi.json, schemas/jenkins-xunit-junit-10.xsd and "
    "schemas/windyroad-JUnit.xsd there "
    "(the project's shared folder, next to the checkout) to run these tests"
)


def shared_missing() -> bool:
    """True when a file these tests need is not in the shared folder."""
    return not all(path.is_file() for path in NEEDED)


def need(path: Path) -> Path:
    """``path``, or skip the test (or the module, at import) with the one reason."""
    if not path.is_file():
        pytest.skip(MISSING_REASON, allow_module_level=True)
    return path


def openapi_document() -> dict[str, Any]:
    """Bluejay's OpenAPI document, parsed."""
    document: dict[str, Any] = json.loads(need(OPENAPI_PATH).read_text(encoding="utf-8"))
    return document


@functools.cache
def _junit_schema(path: Path) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(path))


def junit_schema() -> xmlschema.XMLSchema:
    """The Jenkins xUnit JUnit 10 schema the gate's JUnit must validate against."""
    return _junit_schema(need(JUNIT_XSD))


def junit_schemas() -> tuple[xmlschema.XMLSchema, ...]:
    """Both schemas the gate's JUnit must validate against: the Jenkins xUnit one and
    the strict Ant one (Windy Road)."""
    return (_junit_schema(need(JUNIT_XSD)), _junit_schema(need(ANT_JUNIT_XSD)))


def validate_junit(text: str) -> None:
    """Raise unless ``text`` is valid against both JUnit schemas."""
    for schema in junit_schemas():
        schema.validate(text)

"""One JUnit ``<testsuite>`` element, written by hand: its properties, its cases (each at
most one ``<failure>``, ``<error>`` or ``<skipped>``), a short ``<system-out>`` and an
empty ``<system-err>``, with the counts its attributes need.

The shape is the one both schemas in ``shared/schemas`` accept: the strict Ant one
(Windy Road: ``<testsuites>`` without attributes; ``name``, ``timestamp`` without a
zone, ``hostname``, ``tests``, ``failures``, ``errors``, ``time``, ``package`` and
``id`` on each suite; ``<properties>`` first and ``<system-out>``/``<system-err>``
last; ``name``, ``classname`` and ``time`` on each case and nothing in it but one
outcome element) and the Jenkins xUnit ``junit-10.xsd``. Every name and text passes
through ``xmltext``. It decides nothing: ``junit`` says which case fails and with what.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bluejay_gate.report import xmltext

PACKAGE = "bluejay-gate"
NO_NAME = "(no name)"  # a suite's name may not be empty (the Ant schema)
COUNTED = {"failure": "failures", "error": "errors", "skipped": "skipped"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a case holds when it did not pass: ``element`` is ``failure``, ``error`` or
    ``skipped``; ``text`` starts with the message (GitLab shows only the text)."""

    element: str
    kind: str
    text: str

    @property
    def message(self) -> str:
        return self.text.split("\n", 1)[0]


def seconds(value: float | None) -> str:
    """A ``time`` attribute: seconds with three decimals (``0.000`` when unknown)."""
    return f"{max(0.0, value or 0.0):.3f}"


class Suite:
    """One ``<testsuite>`` being built: its cases, and the counts for its attributes."""

    def __init__(
        self,
        name: str,
        properties: dict[str, str],
        *,
        timestamp: str | None,
        hostname: str,
        time_s: float | None,
        system_out: str = "",
    ) -> None:
        self.name = name if xmltext.clean(name).strip() else NO_NAME
        self.properties = properties
        self.timestamp = timestamp
        self.hostname = hostname
        self.time_s = time_s
        self.system_out = system_out
        self.cases: list[str] = []
        self.counts = {"failures": 0, "errors": 0, "skipped": 0}

    @property
    def tests(self) -> int:
        return len(self.cases)

    @property
    def failures(self) -> int:
        return self.counts["failures"]

    @property
    def errors(self) -> int:
        return self.counts["errors"]

    def add_case(
        self, name: str, classname: str, *, time_s: float | None, outcome: Outcome | None = None
    ) -> None:
        """One ``<testcase>``; ``outcome`` is ``None`` for a pass."""
        head = (
            f'    <testcase name="{xmltext.attr(name)}" classname="{xmltext.attr(classname)}" '
            f'time="{seconds(time_s)}"'
        )
        if outcome is None:
            self.cases.append(head + "/>\n")
            return
        self.counts[COUNTED[outcome.element]] += 1
        kind = f' type="{xmltext.attr(outcome.kind)}"' if outcome.element != "skipped" else ""
        self.cases.append(
            f"{head}>\n"
            f'      <{outcome.element} message="{xmltext.attr(outcome.message)}"{kind}>'
            f"{xmltext.text(outcome.text)}</{outcome.element}>\n"
            "    </testcase>\n"
        )

    def parts(self, ident: int) -> Iterator[str]:
        """The element, as text; ``ident`` is its place among the suites (from 0)."""
        attrs = [
            f'name="{xmltext.attr(self.name)}"',
            f'tests="{self.tests}"',
            f'failures="{self.failures}"',
            f'errors="{self.errors}"',
            f'skipped="{self.counts["skipped"]}"',
            f'time="{seconds(self.time_s)}"',
        ]
        if self.timestamp:
            attrs.append(f'timestamp="{xmltext.attr(self.timestamp)}"')
        attrs += [
            f'hostname="{xmltext.attr(self.hostname)}"',
            f'package="{PACKAGE}"',
            f'id="{ident}"',
        ]
        yield f"  <testsuite {' '.join(attrs)}>\n"
        yield "    <properties>\n"
        for key, value in self.properties.items():
            yield f'      <property name="{xmltext.attr(key)}" value="{xmltext.attr(value)}"/>\n'
        yield "    </properties>\n"
        yield from self.cases
        yield f"    <system-out>{xmltext.text(self.system_out)}</system-out>\n"
        yield "    <system-err/>\n"
        yield "  </testsuite>\n"

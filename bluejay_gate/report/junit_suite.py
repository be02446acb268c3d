"""One JUnit ``<testsuite>`` element, written by hand: its cases, properties and a lazy
``<system-out>``, with the ``tests``/``failures``/``errors`` counts its attributes need.

The shape is the one the Jenkins xUnit ``junit-10.xsd`` accepts (no ``disabled``
attribute, no ``file``/``line`` on cases); every name and text passes through
``xmltext``. It decides nothing: ``junit`` says which case fails and with what text.
"""

from __future__ import annotations

from collections.abc import Iterable

from bluejay_gate.report import xmltext


class Suite:
    """One ``<testsuite>`` being built: its parts, and the counts for its attributes."""

    def __init__(self, name: str, properties: dict[str, str], timestamp: str | None) -> None:
        self.name = name
        self.properties = properties
        self.timestamp = timestamp
        self.cases: list[str] = []
        self.failures = 0
        self.errors = 0
        self.skipped = 0
        # made (and escaped) part by part while the suite is written: it can be large
        self._system_out: Iterable[str] = ()

    def set_system_out(self, parts: Iterable[str]) -> None:
        """Lazy ``<system-out>`` text; an element is written only if some part is not empty."""
        self._system_out = parts

    @property
    def tests(self) -> int:
        return len(self.cases)

    def add_case(
        self,
        name: str,
        classname: str,
        *,
        failure: tuple[str, str, str] | None = None,
        system_out: str | None = None,
        skipped: str | None = None,
    ) -> None:
        """``failure`` is (element, type, text); the text starts with the message.
        ``skipped``: the reason the case was skipped (a ``<skipped>`` element)."""
        case = [f'    <testcase name="{xmltext.attr(name)}" classname="{xmltext.attr(classname)}"']
        if failure is None and system_out is None and skipped is None:
            case.append("/>\n")
            self.cases.append("".join(case))
            return
        case.append(">\n")
        if failure is not None:
            element, kind, body = failure
            message = body.split("\n", 1)[0]
            if element == "failure":
                self.failures += 1
            else:
                self.errors += 1
            case.append(
                f'      <{element} message="{xmltext.attr(message)}" type="{kind}">'
                f"{xmltext.text(body)}</{element}>\n"
            )
        if skipped is not None:
            self.skipped += 1
            case.append(f'      <skipped message="{xmltext.attr(skipped)}"/>\n')
        if system_out is not None:
            case.append(f"      <system-out>{xmltext.text(system_out)}</system-out>\n")
        case.append("    </testcase>\n")
        self.cases.append("".join(case))

    @property
    def parts(self) -> Iterable[str]:
        attrs = (
            f'name="{xmltext.attr(self.name)}" tests="{self.tests}" failures="{self.failures}" '
            f'errors="{self.errors}" skipped="{self.skipped}"'
        )
        if self.timestamp:
            attrs += f' timestamp="{xmltext.attr(self.timestamp)}"'
        yield f"  <testsuite {attrs}>\n"
        if self.properties:
            yield "    <properties>\n"
            for key, value in self.properties.items():
                yield (
                    f'      <property name="{xmltext.attr(key)}" value="{xmltext.attr(value)}"/>\n'
                )
            yield "    </properties>\n"
        yield from self.cases
        opened = False
        for part in self._system_out:
            if not part:
                continue
            if not opened:
                opened = True
                yield "    <system-out>"
            yield xmltext.text(part)  # parts split at line ends: "]]>" never straddles two
        if opened:
            yield "</system-out>\n"
        yield "  </testsuite>\n"

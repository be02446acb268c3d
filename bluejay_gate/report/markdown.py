"""Markdown text safety for the summary: outside text escaped so it renders as written,
and the same, on GitHub, GitLab and Python-Markdown; table cells without a raw ``|`` or
newline; links only to http(s) URLs.

Backslash escapes only for the characters all three honour (backslash, backtick, ``*``,
``_``, ``[``, ``]``); an HTML
entity for the others (``&``, ``|``, ``~``, and ``<`` where it could open a tag): a
backslash before ``<``, ``|`` or ``~`` shows literally in Python-Markdown. ``<=`` and
``>=`` are left as they are (neither opens anything).

Pure string functions; they know nothing of verdicts.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from bluejay_gate.report import formatting as fmt

_MD_SPECIAL = re.compile(r"([\\`*_\[\]])")
_ENTITIES = {"|": "&#124;", "~": "&#126;", "<": "&lt;"}
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])|[|~]")
_URL_SAFE = ":/?#[]@!$&'*+,;=%~"


def _escape(text: str, *, block: bool = False) -> str:
    """Markdown specials and ``&`` escaped, lone surrogates replaced (``block``: starts a line)."""
    text = fmt.scrub(text).replace("&", "&amp;")
    text = _TAG_START.sub(lambda m: _ENTITIES[m.group()], _MD_SPECIAL.sub(r"\\\1", text))
    # At the start of a line (or of a list item) these would open a quote, heading or list.
    if block and text[:1] in {">", "#", "+", "-"}:
        return "\\" + text
    return text


def cell(text: str) -> str:
    """A table cell: Markdown escaped, ``|`` escaped, newlines as ``<br>``."""
    escaped = _escape(text.replace("\r\n", "\n").replace("\r", "\n").strip())
    return escaped.replace("\n", "<br>")


def inline(text: str, *, block: bool = False) -> str:
    """Running text on one line, Markdown escaped (``block``: it starts a line or item)."""
    return _escape(fmt.one_line(text), block=block)


def link(label: str, url: str | None) -> str:
    """``[label](url)`` for http(s) URLs; the escaped label alone otherwise."""
    text = inline(label)
    if not url:
        return text
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return text
    if scheme not in {"http", "https"}:
        return text
    return f"[{text}]({quote(fmt.scrub(url.strip()), safe=_URL_SAFE)})"

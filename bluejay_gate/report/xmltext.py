"""Make any text safe inside XML 1.0: drop characters XML cannot carry, escape the rest.

Transcripts and reasoning are arbitrary: control characters, lone surrogates, ``]]>``,
quotes, emoji, right-to-left marks. Everything XML 1.0 allows is kept; the characters it
forbids (C0 controls other than tab/newline/carriage return, U+FFFE, U+FFFF, lone
surrogates) are removed. ASCII text — the common case, and megabytes of it in a large
report — takes a fast path over bytes.
"""

from __future__ import annotations

import re

_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ASCII_CONTROLS = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def clean(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    if text.isascii():
        if text.isprintable():
            return text
        raw = text.encode("ascii")
        stripped = raw.translate(None, _ASCII_CONTROLS)
        return text if len(stripped) == len(raw) else stripped.decode("ascii")
    if text.replace("\n", "").isprintable():  # printable implies allowed: no regex pass
        return text
    return _ILLEGAL.sub("", text)


def text(value: str) -> str:
    """Element content: cleaned, ``&`` and ``<`` escaped, ``]]>`` broken up."""
    value = clean(value)
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if "]]>" in value:
        value = value.replace("]]>", "]]&gt;")
    return value


_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)


def attr(value: str) -> str:
    """An attribute value (for double quotes): cleaned and escaped, whitespace kept."""
    return clean(value).translate(_ATTR_ESCAPES)

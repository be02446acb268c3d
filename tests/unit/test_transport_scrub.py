"""scrub_answer: the key leaves every answer before it is read, in whatever JSON spelling."""

from __future__ import annotations

import json

from bluejay_gate.bluejay.transport import scrub_answer

KEY = "sk-live/abc123XYZ"


def _escaped(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


def test_plain_slash_escaped_and_u_escaped_copies_are_scrubbed() -> None:
    """As is, with ``\\/`` and spelt with needless ``\\u00XX`` escapes: all become ***."""
    body = (
        '{"a": "key ' + KEY.replace("/", "\\/") + ' x", "b": "' + _escaped(KEY) + '", '
        '"c": "' + KEY + '", "d": "mixed ' + KEY[:3] + _escaped(KEY[3:]) + '"}'
    ).encode()
    out = json.loads(scrub_answer(body, KEY))
    assert out == {"a": "key *** x", "b": "***", "c": "***", "d": "mixed ***"}


def test_meaning_of_other_escapes_is_kept() -> None:
    """An escaped backslash before ``u0041`` is text, quotes and non-ASCII stay escaped."""
    body = json.dumps({"t": '\\u0041 "q" é ☃', "k": KEY}).encode()
    assert b"\\u00e9" in body
    out = json.loads(scrub_answer(body, KEY))
    assert out == {"t": '\\u0041 "q" é ☃', "k": "***"}


def test_key_with_quote_and_backslash() -> None:
    r"""A key holding ``"`` and ``\`` is found in its JSON-escaped spelling too."""
    key = 'ab"cd\\ef-123456'
    body = json.dumps({"x": f"say {key}"}).encode()
    assert key.encode() not in body
    assert json.loads(scrub_answer(body, key)) == {"x": "say ***"}


def test_short_key_is_no_secret_and_cuts_no_words() -> None:
    """``BLUEJAY_API_KEY=any`` for the emulator: "Company" stays a word."""
    body = b'{"name": "Company policy"}'
    assert scrub_answer(body, "any") == body


def test_answer_without_key_is_unchanged() -> None:
    body = json.dumps({"reasoning": "fine", "u": "\\u00e9"}).encode()
    assert scrub_answer(body, KEY) == body

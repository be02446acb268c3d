"""How much of Bluejay's answers the client reads, and how much of them it echoes into a
message: the caps on bodies, excerpts and listed problems. Data only."""

from __future__ import annotations

MAX_BODY_BYTES = 20 * 1024 * 1024  # a success body larger than this is refused unread
ERROR_BODY_BYTES = 64 * 1024  # of an error body only an excerpt is ever shown
EXCERPT_CHARS = 200
MAX_LISTED_PROBLEMS = 5
# Shorter "keys" (``BLUEJAY_API_KEY=any`` for the emulator) are no secret and would cut
# ordinary words ("Company") out of metric names and messages; Bluejay's keys are far
# longer. Such a key is scrubbed from messages only where it stands as a word of its own.
MIN_SCRUBBED_KEY = 8

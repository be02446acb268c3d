"""Console rendering of progress events: one line per change of state."""

from __future__ import annotations

from typing import TextIO

from bluejay_gate import events

_GREEN, _RED, _YELLOW, _DIM, _RESET = "\033[32m", "\033[31m", "\033[33m", "\033[2m", "\033[0m"


class ConsoleProgress:
    """Callable event sink that writes one line per event to ``stream``."""

    def __init__(self, stream: TextIO, *, color: bool = False) -> None:
        self.stream = stream
        self.color = color

    def _paint(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text

    def __call__(self, event: events.Event) -> None:
        line = self.render(event)
        if line:
            self.stream.write(line + "\n")
            self.stream.flush()

    def render(self, event: events.Event) -> str:
        match event:
            case events.Info(message):
                return message
            case events.Warning(message):
                return self._paint(_YELLOW, f"warning: {message}")
            case events.RunQueued(label, _sid, run_id, n, url):
                convs = f"{n} conversation{'s' if n != 1 else ''}" if n else "conversations"
                return f"{label}: queued run {run_id} ({convs}) {self._paint(_DIM, url)}"
            case events.RunProgress(label, run_id, status, scored, total):
                return f"{label}: run {run_id} {status}, {scored}/{total} conversations final"
            case events.RunFinished(label, run_id, status, scored, total):
                paint = _GREEN if status == "COMPLETED" else _RED
                return self._paint(
                    paint, f"{label}: run {run_id} {status}, {scored}/{total} conversations final"
                )
        return ""

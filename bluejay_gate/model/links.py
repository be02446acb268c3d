"""Links to Bluejay's dashboard, for reports.

The URL shape is the one Bluejay's own tools use; it is not documented, so it lives
here, in one place. Ids are URL-quoted (they are numbers in practice). ``base`` is the
dashboard's address: Bluejay's, or the emulator's page for them in the demo.
"""

from __future__ import annotations

from urllib.parse import quote

DASHBOARD = "https://app.getbluejay.ai"


def _q(value: str) -> str:
    text = str(value)
    if text.isascii() and text.isalnum():
        return text  # the usual numeric id: nothing to quote
    return quote(text, safe="")


def run_url(simulation_id: str, run_id: str, base: str = DASHBOARD) -> str:
    """``https://app.getbluejay.ai/simulations/{simulation_id}/runs/{run_id}``."""
    return f"{base.rstrip('/')}/simulations/{_q(simulation_id)}/runs/{_q(run_id)}"


def result_url(simulation_id: str, run_id: str, result_id: str, base: str = DASHBOARD) -> str:
    """The run's page with one conversation opened: ``...?result={result_id}``."""
    return f"{run_url(simulation_id, run_id, base)}?result={_q(result_id)}"

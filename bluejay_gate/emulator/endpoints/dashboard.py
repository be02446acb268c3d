"""The dashboard links of the demo's reports (``/dashboard/simulations/{id}/runs/{id}``,
``?result=`` for one conversation): a plain page that says it is the emulator, what the
link would open in Bluejay, and the conversation's scores and transcript link. No key
needed, like a browser. Bluejay's own dashboard is never emulated beyond this page.
"""

from __future__ import annotations

import html

from bluejay_gate.emulator.endpoints.registry import int_id, route
from bluejay_gate.emulator.routing import Call, Reply
from bluejay_gate.emulator.store import Store

PREFIX = "/dashboard"


@route(
    "GET",
    PREFIX + "/simulations/{simulation_id}/runs/{run_id}",
    auth=False,
    query={"result": (str | None, None)},
)
def run_page(store: Store, call: Call) -> Reply:
    simulation_id = int_id(call.params["simulation_id"], "Simulation")
    run_id = int_id(call.params["run_id"], "Run")
    store.run(run_id)
    result = call.query.get("result")
    lines = [
        "<!doctype html><meta charset='utf-8'><title>bluejay-gate emulator</title>",
        "<h1>This is the bluejay-gate emulator, not Bluejay</h1>",
        f"<p>In Bluejay this link opens run {run_id} of simulation {simulation_id}"
        + (f", conversation {html.escape(result)}" if result else "")
        + ". The demo's runs exist only in the emulator, so this page stands in for it.</p>",
    ]
    if result:
        conv = store.conversation(int_id(result, "Simulation result"))
        caller = store.digital_humans.get(conv.digital_human_id, {}).get("name") or ""
        lines.append(
            f"<p>Digital human: {html.escape(str(caller))} (id {conv.digital_human_id})</p><ul>"
        )
        lines.extend(
            f"<li><b>{html.escape(str(metric['name']))}</b>: "
            f"{html.escape(str(metric['response_value']))} — "
            f"{html.escape(str(metric['reasoning']))}</li>"
            for metric in conv.scores.metrics
        )
        lines.append(f"</ul><p><a href='/files/transcripts/{conv.id}.json'>transcript</a></p>")
    return Reply(200, "\n".join(lines).encode(), content_type="text/html; charset=utf-8")

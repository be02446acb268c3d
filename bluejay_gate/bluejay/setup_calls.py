"""The calls Bluejay as code makes (``manage.api.SetupApi``): custom metrics
(``metric_setup``), simulations (``simulation_setup``) and digital humans
(``human_setup``), composed into one mixin of ``client.BluejayClient``. Reads are GET
only; creates are once only (reconciled by name); updates and unlinking are retried."""

from __future__ import annotations

from bluejay_gate.bluejay.human_setup import HumanSetupCalls
from bluejay_gate.bluejay.metric_setup import MetricSetupCalls
from bluejay_gate.bluejay.simulation_setup import SimulationSetupCalls


class SetupCalls(MetricSetupCalls, SimulationSetupCalls, HumanSetupCalls):
    """Read, create and update what a spec keeps in Bluejay."""

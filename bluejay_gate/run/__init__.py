"""The run stage: agent sync, simulations, the checks before paying, queueing, polling and
ending conversations. Talks to Bluejay only through ``bluejay_gate.bluejay``."""

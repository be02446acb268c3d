"""The Bluejay edge: the only code that knows Bluejay's URLs, JSON shapes, ids, failures and
retries. ``client.BluejayClient`` composes the plumbing (``session``: one attempt;
``calls``: retry loops and reading answers; ``paging``: every page of a list) and the
endpoint families (``agents``, ``runs``, ``queueing``, ``definitions``, and for Bluejay as
code ``setup_calls``: ``metric_setup``, ``simulation_setup``, ``human_setup``, reading
into ``setup_models``); ``failures`` classifies a failed attempt, ``retry`` times the next
one, ``transport`` guards where the key may go, ``bodies`` builds what is sent,
``models`` types what comes back, ``adoption`` tells what a lost create made, and
``results`` (with ``evaluations``, ``metric_entries``, ``builtin_fields``) reads a wire
result into the gate's model. Never imports spec.thresholds, verdict, run, report or ci."""

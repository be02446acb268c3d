"""The Bluejay edge: the only code that knows Bluejay's URLs, JSON shapes, ids, failures and
retries. ``client.BluejayClient`` composes the plumbing (``session``: one attempt;
``calls``: retry loops and reading answers) and the endpoint families (``agents``,
``runs``, ``queueing``, ``definitions``); ``failures`` classifies a failed attempt,
``retry`` times the next one, ``transport`` guards where the key may go, ``bodies`` builds
what is sent, ``models`` types what comes back, and ``results`` (with ``evaluations``,
``metric_entries``, ``builtin_fields``) reads a wire result into the gate's model. Never
imports spec.thresholds, verdict, run, report or ci."""

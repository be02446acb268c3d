"""The Bluejay edge: the only code that knows Bluejay's URLs, JSON shapes, ids, failures and
retries (client, wire models, transport policy, reading results into the gate's model)."""

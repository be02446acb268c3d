"""Bluejay as code: the custom metrics, simulations and digital humans a spec keeps in
Bluejay, planned (read and diffed, GET only), applied (written: only what differs), and
pulled (an existing setup written out as a spec)."""

"""The verdict stage: pure. Spec checks + read results -> ``Verdict``; no I/O, no clock,
no API wire models."""

"""The gate's own vocabulary and result model, shared by every stage: Bluejay's statuses,
the built-in metric names, metric values, read results, durations and dashboard links.
Imports nothing of the stages."""

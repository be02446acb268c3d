"""The CI edges: GitHub Actions (annotations, outputs, step summary, masking)."""

"""The spec stage: a YAML file becomes a typed, located ``Spec`` (load, models, thresholds,
errors with file and line). Offline: sends nothing."""

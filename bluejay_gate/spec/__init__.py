"""The spec stage: a YAML file becomes a typed, located ``Spec``. Offline: sends nothing.

- ``load``: the pipeline (``load_spec``) and the one-line ``SpecError``;
- ``source`` (file -> YAML), ``yamlpos`` (YAML with lines), ``env`` (``${VAR}``, API-key guard);
- the file as written, in pydantic: ``spec_model`` joins ``agent_model``, ``run_model``,
  ``simulation_model``, ``metric_model``, ``human_model``, ``threshold_model``, with
  ``fields``, ``file_refs`` and ``statistics``;
- ``messages`` (validation errors -> plain sentences), ``schema`` (the JSON Schema);
- ``build`` (model -> ``Spec``, checks across sections), ``managed`` (what the spec keeps in
  Bluejay -> ``MetricSpec`` / ``ManagedSimulation``), ``checks`` (threshold entries ->
  ``Check``), ``resolved`` (the frozen ``Spec``), ``thresholds`` (the threshold language).
"""

"""Earlier reports, read back: an earlier gate run's JSON report (``document``, one reader
for every use), whether it belongs to this spec and agent (``identity``), the samples it
judged (``samples``), what ``--rerun-failed`` may take from it (``reuse``) and what a
``--baseline`` compares with (``baseline``). Reads files; sends nothing."""

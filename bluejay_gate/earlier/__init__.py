"""Earlier reports, read back: an earlier gate run's JSON report (``document``), whether it
belongs to this spec and agent (``identity``), the samples it judged (``samples``) and
what ``--rerun-failed`` may take from it (``reuse``). Reads files; sends nothing."""

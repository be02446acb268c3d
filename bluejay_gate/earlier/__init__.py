"""Earlier reports read back: a JSON report of an earlier gate run, checked to belong to
this spec and agent, turned back into what the verdict judges (``baseline``).

Reads files and sends nothing: never imports the Bluejay edge, the run, the reports or CI.
"""

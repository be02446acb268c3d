"""``python -m bluejay_gate`` is ``bluejay-gate``.

Once ``main`` has decided the exit code (reports written and closed), the process ends
with ``cli.exit_now`` (output flushed, then ``os._exit``): the interpreter's own clean-up
of the loaded modules takes a third of a second on a busy runner, after the verdict.
"""

from bluejay_gate.cli import exit_now, main

try:
    main()
except SystemExit as done:
    exit_now(done.code if isinstance(done.code, int) else 0 if done.code is None else 1)

"""``python -m bluejay_gate`` is ``bluejay-gate``."""

from bluejay_gate.cli import main

main()

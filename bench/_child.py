"""Run one command and print its wall time and peak memory as one JSON line.

``python bench/_child.py OUT_FILE -- CMD...``: the command's stdout and stderr go to
OUT_FILE. The benchmark starts gates through this small process because a child forked
straight from the benchmark (which holds the emulator and its state) inherits the
parent's peak RSS in ``ru_maxrss``; a grandchild of a small process does not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main() -> int:
    out_file, sep, *cmd = sys.argv[1:]
    if sep != "--" or not cmd:
        sys.stderr.write("usage: _child.py OUT_FILE -- CMD...\n")
        return 2
    with open(out_file, "wb") as out:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        ended = time.monotonic()
    proc.returncode = os.waitstatus_to_exitcode(status)
    print(
        json.dumps(
            {
                "started": started,
                "ended": ended,
                "exit_code": proc.returncode,
                "maxrss_kb": usage.ru_maxrss,
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Load generator for the emulator: ``python bench/_load.py URL KEY PATH THREADS SECONDS``.

Each thread keeps one HTTP/1.1 connection and sends GET PATH back to back; prints one
JSON line with the requests answered 200, the errors and the seconds measured. Runs in
its own process so the emulator's process only serves.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from urllib.parse import urlsplit


def main() -> int:
    url, key, path, threads_text, seconds_text = sys.argv[1:]
    parts = urlsplit(url)
    threads, seconds = int(threads_text), float(seconds_text)
    counts = [0] * threads
    errors = [0] * threads
    start = threading.Barrier(threads + 1)
    stop_at = [0.0]

    def work(i: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
        start.wait()
        while time.monotonic() < stop_at[0]:
            conn.request("GET", path, headers={"X-API-Key": key})
            resp = conn.getresponse()
            resp.read()
            if resp.status == 200:
                counts[i] += 1
            else:
                errors[i] += 1
        conn.close()

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    began = time.monotonic()
    stop_at[0] = began + seconds
    start.wait()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - began
    print(json.dumps({"ok": sum(counts), "errors": sum(errors), "seconds": elapsed}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

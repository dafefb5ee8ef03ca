"""A stand-in for the retrain process, for tests: `python -m tests.ranking.fake_child FD`.

`PEERLIT_FAKE_CHILD` says what it does: "sleep" (reads the request, says its
features are ready, then waits to be stopped), "slow-build" (waits without saying
so) or "error" (answers with a failure).
"""

from __future__ import annotations

import os
import sys
import time
from multiprocessing.connection import Connection


def main() -> None:
    """Behave as `PEERLIT_FAKE_CHILD` says."""
    conn = Connection(int(sys.argv[1]), readable=False)
    sys.stdin.buffer.read()  # the request, as the real child reads it
    how = os.environ.get("PEERLIT_FAKE_CHILD", "sleep")
    if how == "error":
        conn.send(("error", "MemoryError: out of memory"))
        return
    if how == "sleep":
        conn.send(("ready",))
    time.sleep(120)


if __name__ == "__main__":
    main()

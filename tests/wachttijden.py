"""Every timeout and wait of the test suite, in one place, generous on purpose.

The suite must hold on a busy 2-core machine: a timeout here only bounds how long a broken test hangs, it never
decides whether a working one passes. No assertion depends on how fast something ran.
"""

from __future__ import annotations

#: Starting a Prefect server subprocess (tests/conftest.py and the recovery tests).
PREFECT_START = 300.0
#: A child process (CLI, crash helper, migrating process) to finish.
PROCES = 300.0
#: Polling for something stored asynchronously (Prefect logs and events, deleted runs).
OPGESLAGEN = 120.0
#: Threads meeting at a barrier or waiting for each other in concurrency tests.
DRAAD = 120.0
#: One poll interval while waiting.
POLL = 0.2
#: A client's per-request timeout against a loopback receiver that does answer (one that hangs always exceeds it).
HTTP_TIMEOUT = 5.0

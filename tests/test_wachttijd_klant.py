"""The client's default request timeout outlasts the server's wait for a worker.

Found following docs/operations.md with a task worker killed while it held a registration: the server waits
``WACHTTIJD_SECONDEN`` (120 s) for the transition and then answers that it is still being processed; a client
that gives up at the same moment repeats the request with its idempotency key and tells the coordinator
"Dit signaal was al geregistreerd … er is niets nieuws opgeslagen" instead.
"""

from __future__ import annotations

import pytest

from aanpak import uitvoering
from aanpak.klant import verbinding


def test_default_client_timeout_outlasts_the_servers_wait_for_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AANPAK_API_TIMEOUT", raising=False)
    assert verbinding.timeout() >= uitvoering.WACHTTIJD_SECONDEN + 30

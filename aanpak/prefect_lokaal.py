"""One local Prefect server for the embedded default, started once and shared by every aanpak process.

Prefect's ephemeral mode starts a server inside every command that needs one; on a busy machine that takes
longer than Prefect's own 20 s limit and the command ends in a traceback. Instead, the first process that needs
Prefect (a CLI command, the demo, ``make up``) starts ``prefect server start`` as a detached process with its
home under the data folder; every later process finds it healthy and reuses it. A file lock makes two processes
starting at once start one server. Everything about it lives in ``<data dir>/prefect/``:

- ``server.url`` and ``server.pid`` — where it listens and which process it is;
- ``server.log`` — its output;
- ``server.auth`` (0600) — the API auth string it demands and our clients send;
- ``server.lock`` — the start lock.

``python -m aanpak.prefect_lokaal start|stop|status`` is what ``make up`` / ``make down`` use.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from aanpak.config import Instellingen, instellingen

#: Prefect retention for the embedded server (docs/bewaring.md): events 30 days, finished runs 90 days.
RETENTIE = {
    "PREFECT_SERVER_EVENTS_RETENTION_PERIOD": "P30D",
    "PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED": "events,flow_runs",
    "PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD": "7776000",
}


class PrefectStartFout(Exception):
    """The local Prefect server did not become healthy in time (or its process ended); names the log file."""


@dataclass(frozen=True)
class Verbinding:
    """How clients reach the server: its API URL and the auth string to send (None: the server wants none)."""

    api_url: str
    auth: str | None


def map_van(inst: Instellingen | None = None) -> Path:
    return ((inst or instellingen()).data_dir / "prefect").resolve()


def gezond(api_url: str, auth: str | None = None, timeout: float = 5.0) -> bool:
    """GET /api/health answers 200 (a short timeout: a server that does not answer counts as down)."""
    try:
        antwoord = httpx.get(f"{api_url}/health", timeout=timeout, headers=kop(auth))
    except httpx.HTTPError:
        return False
    return antwoord.status_code == 200


def kop(auth: str | None) -> dict[str, str]:
    """The header Prefect's client sends for an auth string (Basic, the string itself base64-encoded)."""
    if not auth:
        return {}
    return {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()}


def _lees(pad: Path) -> str | None:
    try:
        return pad.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _schrijf(pad: Path, tekst: str, modus: int = 0o644) -> None:
    tijdelijk = pad.with_suffix(pad.suffix + ".nieuw")
    fd = os.open(tijdelijk, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, modus)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(tekst)
    os.replace(tijdelijk, pad)


def auth_string(map_: Path) -> str:
    """The server's API auth string: generated once, readable by this user only."""
    pad = map_ / "server.auth"
    bestaand = _lees(pad)
    if bestaand:
        return bestaand
    nieuw = secrets.token_urlsafe(32)
    _schrijf(pad, nieuw, 0o600)
    return nieuw


def _leeft(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours (it exited, nobody reaped it) is not alive
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return True


def _vrije_poort() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _poort_vrij(poort: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", poort))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def _slot(map_: Path) -> Iterator[None]:
    with (map_ / "server.lock").open("a") as bestand:
        fcntl.flock(bestand, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(bestand, fcntl.LOCK_UN)


def bekend(inst: Instellingen | None = None) -> Verbinding | None:
    """The recorded server, if it is healthy now (no start, no lock)."""
    map_ = map_van(inst)
    url = _lees(map_ / "server.url")
    if url is None:
        return None
    auth = _lees(map_ / "server.auth")
    return Verbinding(url, auth) if gezond(url, auth) else None


def _start(map_: Path, inst: Instellingen) -> tuple[subprocess.Popen[bytes], str]:
    poort = inst.prefect_poort if inst.prefect_poort and _poort_vrij(inst.prefect_poort) else _vrije_poort()
    url = f"http://127.0.0.1:{poort}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_")}
    env |= RETENTIE | {k: os.environ[k] for k in RETENTIE if k in os.environ}
    env |= {
        "PREFECT_HOME": str(map_),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(poort),
        "PREFECT_SERVER_API_AUTH_STRING": auth_string(map_),
        "PREFECT_UI_API_URL": url,
    }
    prefect = Path(sys.executable).with_name("prefect")
    opdracht = [str(prefect)] if prefect.exists() else [sys.executable, "-m", "prefect"]
    with (map_ / "server.log").open("ab") as log:
        proces = subprocess.Popen(
            [*opdracht, "server", "start", "--host", "127.0.0.1", "--port", str(poort)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # detached: outlives the command that started it, and not hit by its Ctrl-C
            cwd=map_,
        )
    _schrijf(map_ / "server.pid", str(proces.pid))
    _schrijf(map_ / "server.url", url)
    return proces, url


def _na_herstart() -> None:
    """A (re)started server may hold runs of processes that died with the previous one: mark them Crashed."""
    from aanpak import prefect_zombies

    prefect_zombies.ruim_op()


def zorg_voor_server(inst: Instellingen | None = None) -> Verbinding:
    """The local server's connection; starts it when it is not running (once, whoever comes first).

    Waits up to ``AANPAK_PREFECT_START_SECONDEN`` for it to become healthy. A server still starting when that
    runs out is left running (the next command finds it); the caller gets ``PrefectStartFout``.
    """
    inst = inst or instellingen()
    verbinding = bekend(inst)
    if verbinding is not None:
        return verbinding
    map_ = map_van(inst)
    map_.mkdir(parents=True, exist_ok=True)
    with _slot(map_):
        verbinding = bekend(inst)  # another process may have started it while we waited for the lock
        if verbinding is not None:
            return verbinding
        pid_tekst = _lees(map_ / "server.pid")
        url = _lees(map_ / "server.url")
        proces: subprocess.Popen[bytes] | None = None
        if not (pid_tekst and url and _leeft(int(pid_tekst))):
            proces, url = _start(map_, inst)
        pid = proces.pid if proces else int(pid_tekst or 0)
        auth = auth_string(map_)
        grens = time.monotonic() + inst.prefect_start_seconden
        while time.monotonic() < grens:
            if gezond(url, auth):
                if proces is not None:
                    _na_herstart()
                return Verbinding(url, auth)
            if not _leeft(pid):
                raise PrefectStartFout(
                    f"de lokale Prefect-server is gestopt tijdens het starten; zie {map_}/server.log"
                )
            time.sleep(0.5)
    raise PrefectStartFout(
        f"de lokale Prefect-server is na {inst.prefect_start_seconden:.0f} s nog niet gereed "
        f"(AANPAK_PREFECT_START_SECONDEN); zie {map_}/server.log"
    )


def stop(inst: Instellingen | None = None, wacht: float = 30.0) -> int | None:
    """Stop the recorded server (SIGTERM, then SIGKILL after ``wacht`` s); returns its pid if it ran."""
    map_ = map_van(inst)
    pid_tekst = _lees(map_ / "server.pid")
    if not pid_tekst:
        return None
    pid = int(pid_tekst)
    gestopt: int | None = None
    if _leeft(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)  # its own session: the server and the services it forked
        grens = time.monotonic() + wacht
        while _leeft(pid) and time.monotonic() < grens:
            time.sleep(0.2)
        if _leeft(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        gestopt = pid
    (map_ / "server.pid").unlink(missing_ok=True)
    return gestopt


def main(argv: list[str] | None = None) -> int:
    opdracht = (argv if argv is not None else sys.argv[1:]) or ["status"]
    if opdracht[0] == "start":
        try:
            verbinding = zorg_voor_server()
        except PrefectStartFout as exc:
            print(f"Prefect start niet: {exc}", file=sys.stderr)
            return 1
        print(verbinding.api_url)
        return 0
    if opdracht[0] == "stop":
        pid = stop()
        print(f"Prefect-server gestopt (pid {pid})." if pid else "Er draaide geen lokale Prefect-server.")
        return 0
    if opdracht[0] == "status":
        actief = bekend()
        print(f"Prefect-server draait: {actief.api_url}" if actief else "Geen lokale Prefect-server actief.")
        return 0 if actief else 1
    print("gebruik: python -m aanpak.prefect_lokaal start|stop|status", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

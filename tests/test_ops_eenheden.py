"""The systemd units' ExecStart lines, run by sh as systemd would (``$$`` → ``$``, ``%i``/``%H`` filled in),
against a fake installation whose ``.venv/bin`` programs print what they were started with: the documented
settings (docs/operations.md, "Meerdere hosts") pick the ports, names and project folder."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EENHEDEN = ROOT / "ops" / "systemd"

NEP = '#!/bin/sh\necho "poort=${PREFECT_WORKER_WEBSERVER_PORT:-} args=$*"\n'


def _start(eenheid: str, instantie: str, omgeving: dict[str, str], tmp_path: Path) -> str:
    tekst = (EENHEDEN / eenheid).read_text(encoding="utf-8")
    regel = re.search(r"^ExecStart=/bin/sh -c '(.*)'$", tekst, re.MULTILINE)
    assert regel, eenheid
    commando = regel.group(1).replace("$$", "$").replace("%i", instantie).replace("%H", "host-a")
    bin_map = tmp_path / ".venv" / "bin"
    bin_map.mkdir(parents=True, exist_ok=True)
    for naam in ("python", "aanpak", "prefect"):
        (bin_map / naam).write_text(NEP, encoding="utf-8")
        (bin_map / naam).chmod(0o755)
    env = {"PATH": os.environ["PATH"], "AANPAK_PROJECT_DIR": str(tmp_path), **omgeving}
    uit = subprocess.run(["/bin/sh", "-c", commando], env=env, capture_output=True, text=True, check=True, cwd="/")
    return uit.stdout.strip()


@pytest.mark.parametrize(
    ("omgeving", "verwacht"),
    [({}, "poort=8102"), ({"AANPAK_WORKER_POORTBASIS": "9320"}, "poort=9322")],
)
def test_worker_unit_health_port_follows_the_documented_base(
    omgeving: dict[str, str], verwacht: str, tmp_path: Path
) -> None:
    uit = _start("aanpak-worker@.service", "2", omgeving, tmp_path)
    assert uit.startswith(verwacht + " "), uit
    assert "ops/systemd/worker_afbouwen.py .venv/bin/prefect worker start --pool aanpak --name aanpak-host-a-2" in uit


def test_server_unit_listens_where_the_settings_say(tmp_path: Path) -> None:
    assert _start("aanpak-server.service", "", {}, tmp_path).endswith("server --host 127.0.0.1 --port 8000")
    omgeving = {"AANPAK_SERVER_HOST": "0.0.0.0", "AANPAK_SERVER_POORT": "9311"}
    uit = _start("aanpak-server.service", "", omgeving, tmp_path)
    assert uit.endswith("server --host 0.0.0.0 --port 9311"), uit


def test_prefect_unit_listens_where_the_settings_say(tmp_path: Path) -> None:
    uit = _start("aanpak-prefect-server.service", "", {"PREFECT_SERVER_POORT": "9310"}, tmp_path)
    assert uit.endswith("server start --host 127.0.0.1 --port 9310"), uit


def test_task_worker_unit_runs_ops_worker_sh_from_this_hosts_folder(tmp_path: Path) -> None:
    (tmp_path / "ops").mkdir()
    (tmp_path / "ops" / "worker.sh").write_text(NEP, encoding="utf-8")
    (tmp_path / "ops" / "worker.sh").chmod(0o755)
    assert _start("aanpak-taakworker@.service", "1", {}, tmp_path) == "poort= args="
    assert (ROOT / "ops" / "worker.sh").stat().st_mode & 0o111

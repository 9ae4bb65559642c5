"""One local Prefect server for the embedded default, and recovery when Prefect is away (issue 12 §1).

Real processes throughout: ``python -m aanpak.prefect_lokaal start`` and the ``aanpak`` command run as child
processes on a temporary data folder; the Prefect server they start is a real ``prefect server start`` on a
free loopback port. No test here waits for anything to be fast: waits are generous (tests/wachttijden.py).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from aanpak import prefect_lokaal
from aanpak.config import Instellingen
from tests import wachttijden
from tests.gegevens import register_met_een_school

pytestmark = pytest.mark.prefect

ROOT = Path(__file__).resolve().parents[1]
SCHOOL = "school.zorgcoordinator"


def signaal(pad: Path, sleutel: str, voornamen: str) -> Path:
    pad.write_text(
        json.dumps(
            {
                "melder": {"rol": SCHOOL, "naam": "Mw. A. Mentor"},
                "jeugdige": {"voornamen": voornamen, "achternaam": "Proef", "geboortedatum": "2014-05-09"},
                "categorieen": ["verzuim"],
                "acuut": False,
                "zorg": "Verzuimt vaak.",
                "idempotentie_sleutel": sleutel,
            }
        ),
        encoding="utf-8",
    )
    return pad


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A fresh embedded default's folder; whatever Prefect server a test starts in it is stopped afterwards."""
    map_ = tmp_path / "data"
    map_.mkdir()
    yield map_
    prefect_lokaal.stop(Instellingen(data_dir=map_))


def omgeving(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_")}
    return env | {
        "AANPAK_DATA_DIR": str(data_dir),
        # One school: the CLI's default organisation applies (tests/test_organisaties.py covers two).
        "AANPAK_ORGANISATIES": str(register_met_een_school(data_dir.parent)),
        "AANPAK_PREFECT": "true",
        "AANPAK_DEPLOYMENTS": "false",
        "AANPAK_PREFECT_POORT": "0",
        "AANPAK_PREFECT_START_SECONDEN": str(wachttijden.PREFECT_START),
        **extra,
    }


def draai(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=wachttijden.PROCES
    )


def aanpak(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return draai(["-m", "aanpak.cli.main", *args], env)


def test_twee_processen_starten_een_server(data_dir: Path) -> None:
    env = omgeving(data_dir)
    kinderen = [
        subprocess.Popen(
            [sys.executable, "-m", "aanpak.prefect_lokaal", "start"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    uit = [k.communicate(timeout=wachttijden.PROCES) for k in kinderen]
    assert [k.returncode for k in kinderen] == [0, 0], uit
    urls = {u.strip() for u, _ in uit}
    assert len(urls) == 1
    url = urls.pop()
    assert url.startswith("http://127.0.0.1:")
    map_ = data_dir / "prefect"
    assert (map_ / "server.url").read_text(encoding="utf-8") == url
    # One server was started: its log shows one start banner.
    assert (map_ / "server.log").read_text(encoding="utf-8").count("Check out the dashboard at") == 1
    pid = int((map_ / "server.pid").read_text(encoding="utf-8"))
    os.kill(pid, 0)

    # The API demands the auth string kept under the data folder (0600); the health probe does not.
    auth_bestand = map_ / "server.auth"
    assert stat.S_IMODE(auth_bestand.stat().st_mode) == 0o600
    auth = auth_bestand.read_text(encoding="utf-8")
    assert httpx.post(f"{url}/flows/filter", json={}, timeout=wachttijden.OPGESLAGEN).status_code == 401
    goed = httpx.post(f"{url}/flows/filter", json={}, headers=prefect_lokaal.kop(auth), timeout=wachttijden.OPGESLAGEN)
    assert goed.status_code == 200
    assert prefect_lokaal.gezond(url)

    # A third start reuses it.
    nog_een = draai(["-m", "aanpak.prefect_lokaal", "start"], env)
    assert nog_een.returncode == 0
    assert nog_een.stdout.strip() == url
    assert int((map_ / "server.pid").read_text(encoding="utf-8")) == pid

    gestopt = draai(["-m", "aanpak.prefect_lokaal", "stop"], env)
    assert gestopt.returncode == 0
    assert f"pid {pid}" in gestopt.stdout
    assert not prefect_lokaal.gezond(url)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def besluiten(data_dir: Path) -> list[tuple[str, str | None]]:
    con = sqlite3.connect(f"file:{data_dir / 'aanpak.db'}?mode=ro", uri=True, timeout=wachttijden.OPGESLAGEN)
    try:
        return [(r, t) for r, t in con.execute("SELECT ref, toegepast_op FROM besluit ORDER BY id")]
    finally:
        con.close()


def signalen(data_dir: Path) -> list[tuple[str, str | None]]:
    con = sqlite3.connect(f"file:{data_dir / 'aanpak.db'}?mode=ro", uri=True, timeout=wachttijden.OPGESLAGEN)
    try:
        return [(r, v) for r, v in con.execute("SELECT ref, verwerkt_op FROM signaal ORDER BY id")]
    finally:
        con.close()


def test_prefect_weg_dan_vastgelegd_en_later_hersteld(data_dir: Path, tmp_path: Path) -> None:
    env = omgeving(data_dir)
    inst = Instellingen(data_dir=data_dir)

    # The first command starts the local server (no PREFECT_API_URL, never the ephemeral mode).
    eerste = aanpak(
        env, "signaal", "registreer", "--bestand", str(signaal(tmp_path / "s1.json", "proef-sleutel-0001", "Noor"))
    )
    assert eerste.returncode == 0, eerste.stderr[-3000:]
    gevonden = re.search(r"nieuwe casus (C-[0-9A-Z]+)", eerste.stdout)
    assert gevonden, eerste.stdout
    casus = gevonden.group(1)
    url = (data_dir / "prefect" / "server.url").read_text(encoding="utf-8")
    auth = (data_dir / "prefect" / "server.auth").read_text(encoding="utf-8")
    assert prefect_lokaal.stop(inst) is not None

    # Prefect is away: the decision is stored, the coordinator is told so in Dutch, exit 1, no traceback.
    weg = env | {"PREFECT_API_URL": url, "PREFECT_API_AUTH_STRING": auth, "AANPAK_PREFECT_BEREIKBAAR_SECONDEN": "2"}
    besluit = aanpak(
        weg, "stap", "besluit", casus, "interne_weging", "eigen_ondersteuning", "--als", SCHOOL, "--door", "a.mentor"
    )
    assert besluit.returncode == 1, besluit.stdout + besluit.stderr[-3000:]
    uitvoer = " ".join((besluit.stdout + besluit.stderr).split())
    assert "Traceback" not in uitvoer
    [(besluit_ref, toegepast)] = besluiten(data_dir)
    assert f"Vastgelegd als {besluit_ref}; Prefect is niet bereikbaar, de overgang volgt zodra Prefect terug is" in (
        uitvoer
    )
    assert toegepast is None

    # The embedded default whose server does not come up in time: the signal is stored, exit 1, same message.
    traag = env | {"AANPAK_PREFECT_START_SECONDEN": "0.01"}
    tweede = aanpak(
        traag, "signaal", "registreer", "--bestand", str(signaal(tmp_path / "s2.json", "proef-sleutel-0002", "Sem"))
    )
    assert tweede.returncode == 1, tweede.stdout + tweede.stderr[-3000:]
    uitvoer = " ".join((tweede.stdout + tweede.stderr).split())
    assert "Traceback" not in uitvoer
    signaal_ref, verwerkt = signalen(data_dir)[1]
    assert f"Vastgelegd als {signaal_ref}; Prefect is niet bereikbaar" in uitvoer
    assert verwerkt is None

    # Prefect back (the recovery finds the server that was still starting, or starts it): applied once.
    herstel = aanpak(env, "herstel", "--minuten", "0")
    assert herstel.returncode == 0, herstel.stdout + herstel.stderr[-3000:]
    assert "1 signaal/signalen en 1 besluit(en) afgemaakt." in " ".join(herstel.stdout.split())
    assert all(t is not None for _, t in besluiten(data_dir))
    assert all(v is not None for _, v in signalen(data_dir))
    nogmaals = aanpak(env, "herstel", "--minuten", "0")
    assert nogmaals.returncode == 0
    assert "0 signaal/signalen en 0 besluit(en) afgemaakt." in " ".join(nogmaals.stdout.split())

    con = sqlite3.connect(f"file:{data_dir / 'aanpak.db'}?mode=ro", uri=True, timeout=wachttijden.OPGESLAGEN)
    try:
        stappen = con.execute(
            "SELECT stap.stap_key, stap.status FROM stap JOIN casus ON casus.id = stap.casus_id "
            "WHERE casus.ref = ? ORDER BY stap.id",
            (casus,),
        ).fetchall()
    finally:
        con.close()
    # Applied exactly once: the decided step closed once, the next step opened once.
    assert ("interne_weging", "afgerond") in stappen
    assert [s for s in stappen if s[0] == "informeren_grondslag"] == [("informeren_grondslag", "open")]
    assert len({k for k, _ in stappen}) == len(stappen)

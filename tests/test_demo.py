"""`make demo`: the case runs over HTTP with each partner's own token, and keeps to its own data folder.

The demo starts its own aanpak server (the real app, uvicorn on a real loopback socket, tokens of the
development issuer verified against its JWKS over HTTP) and drives the case through ``/api/v1``. These tests run
the demo's own code on a real SQLite store under a temporary data folder: without Prefect (what is tested is the
HTTP path and the isolation), once against the session's real Prefect server, and once as ``make demo`` runs it,
as a process, with Prefect unreachable.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from aanpak import demo
from aanpak.config import instellingen
from aanpak.omgeving import bouw, zet_standaard
from aanpak.store.db import maak_engine
from aanpak.store.schema import Casus, Historie, Signaal, Verwerking
from aanpak.toegang.ontwikkeluitgever import PERSONEN
from aanpak.usecases import herstel, overdracht
from models.fouten import DomeinFout
from tests import wachttijden

#: The four organisations that act in the demo's case, each with its own person's token.
VIER = {"school-de-wissel", "jgz-limburg-noord", "wijkteam-venlo", "gemeente-venlo"}
ANDERE_SCHOOL = "school-het-baken"
#: A JWT in compact form starts with the base64 of '{"': never in the demo's output or the server's log.
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}")


@pytest.fixture
def echte_map(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The user's own data folder (the embedded default), with a configured channel file the demo must ignore."""
    for naam in list(os.environ):
        if naam.startswith("AANPAK_"):
            monkeypatch.delenv(naam)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("AANPAK_DATA_DIR", str(data_dir))
    monkeypatch.setenv("AANPAK_PREFECT", "false")
    monkeypatch.setenv("AANPAK_KANALEN", str(tmp_path / "bestaat-niet.yaml"))
    monkeypatch.chdir(tmp_path)
    instellingen.cache_clear()
    zet_standaard(None)
    yield data_dir
    zet_standaard(None)
    instellingen.cache_clear()


def _tel(url: str, model: type[Signaal] | type[Casus]) -> int:
    engine = maak_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        engine.dispose()


def _organisatie_van() -> dict[str, str]:
    personen = yaml.safe_load(PERSONEN.read_text(encoding="utf-8"))["personen"]
    return {p["handle"]: p["organisatie"] for p in personen}


def _controleer_over_http(s: demo.Samenvatting, uitvoer: str) -> None:
    """What the server saw, not just what the demo says: its access log, its history and its disclosure log."""
    org = _organisatie_van()
    per_org = {v.organisatie for v in s.verzoeken}
    assert per_org >= VIER | {ANDERE_SCHOOL}
    # Each organisation spoke with the token of its own person, and only that one.
    for v in s.verzoeken:
        assert org[v.persoon] == v.organisatie, v
    assert len({v.persoon for v in s.verzoeken if v.organisatie in VIER}) == 4
    assert not [v for v in s.verzoeken if v.organisatie in VIER and v.status >= 400]

    # The refusal: 404, exactly the answer for a case that does not exist.
    assert s.weigering_status == 404
    geweigerd = [
        v for v in s.verzoeken if v.organisatie == ANDERE_SCHOOL and v.pad.startswith(f"/casussen/{s.casus_ref}")
    ]
    assert [v.status for v in geweigerd] == [404]

    # The server's access log: every request went over its socket; the refusal is there as a 404.
    log = s.logbestand.read_text(encoding="utf-8")
    toegang = [r for r in log.splitlines() if '"GET /api/v1' in r or '"POST /api/v1' in r]
    assert len(toegang) == len(s.verzoeken)
    assert f'"POST /api/v1/casussen/{s.casus_ref}/inzage HTTP/1.1" 404' in log
    assert "/ontwikkel-idp/jwks" in log  # the server fetched the issuer's keys over HTTP
    assert not JWT.search(log)
    assert not JWT.search(uitvoer)

    # The store: who acted, as the server took it from each token (person and organisation).
    engine = maak_engine(f"sqlite:///{s.map / 'aanpak.db'}")
    try:
        with engine.connect() as conn:
            actoren = set(conn.execute(select(Historie.actor, Historie.organisatie)).all())
            melders = set(conn.scalars(select(Signaal.melder_organisatie)).all())
            weigeringen = conn.execute(
                select(Verwerking.actor, Verwerking.organisatie).where(
                    Verwerking.casus_ref == s.casus_ref, Verwerking.uitkomst == "geweigerd"
                )
            ).all()
    finally:
        engine.dispose()
    assert melders == {"school-de-wissel", "jgz-limburg-noord"}  # JGZ acts by signalling
    for persoon in ("a.mentor", "c.regisseur", "d.procesregisseur"):
        assert (persoon, org[persoon]) in actoren, persoon
    assert ("b.baken", ANDERE_SCHOOL) in set(weigeringen)
    assert not [a for a in actoren if a[1] == ANDERE_SCHOOL]
    assert not (s.map / "postvak" / ANDERE_SCHOOL).exists()
    assert "HTTP 404" in uitvoer
    assert "token van b.baken" in uitvoer


def test_the_demo_runs_its_case_over_http_with_four_organisations_tokens(
    echte_map: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = demo.main()
    uitvoer = capsys.readouterr().out
    _controleer_over_http(s, uitvoer)
    assert s.map == (echte_map / demo.DEMOMAP).resolve()
    assert _tel(f"sqlite:///{s.map / 'aanpak.db'}", Casus) == 1
    assert not (echte_map / "aanpak.db").exists() or _tel(instellingen().db_url(), Casus) == 0


def test_the_demo_over_http_against_a_real_prefect_server(
    echte_map: Path, monkeypatch: pytest.MonkeyPatch, prefect_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The server thread uses the Prefect server the demo chose (a context variable), not one of its own."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags

    monkeypatch.setenv("AANPAK_PREFECT", "true")
    instellingen.cache_clear()
    s = demo.main()
    _controleer_over_http(s, capsys.readouterr().out)
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[f"casus:{s.casus_ref}"]))
        )
    assert len(runs) >= 10
    assert all(r.state is not None and r.state.is_completed() for r in runs)
    assert not (s.map / "prefect").exists()  # no second Prefect server under the demo's folder


def test_make_demo_with_prefect_unreachable_says_so_in_dutch_and_exits_1(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AANPAK_", "PREFECT_"))}
    env |= {
        "AANPAK_DATA_DIR": str(tmp_path / "data"),
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_API_URL": "http://127.0.0.1:9229/api",  # our port range; nothing listens there
        "AANPAK_PREFECT_BEREIKBAAR_SECONDEN": "2",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    uit = subprocess.run(
        [sys.executable, "-m", "aanpak.demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=wachttijden.PROCES,
        check=False,
    )
    tekst = uit.stdout + uit.stderr
    assert uit.returncode == 1, tekst
    assert "Gestopt:" in tekst
    assert "Prefect is niet bereikbaar" in tekst
    assert "Traceback" not in tekst
    assert not (tmp_path / "data" / demo.DEMOMAP / "aanpak.db").exists()  # nothing stored


def test_a_demo_that_fails_midway_leaves_nothing_recovery_could_pick_up(
    echte_map: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    echt = bouw()  # the real store exists before the demo (and stays empty)
    echt.engine.dispose()

    def weigert(*args: object, **kwargs: object) -> None:
        raise DomeinFout("gedwongen fout halverwege de demo")

    monkeypatch.setattr(overdracht, "accepteer_overdracht", weigert)  # the server calls it through the module
    with pytest.raises(DomeinFout, match="gedwongen"):
        demo.main()

    # The settings are the user's again.
    assert os.environ["AANPAK_DATA_DIR"] == str(echte_map)
    assert os.environ["AANPAK_KANALEN"].endswith("bestaat-niet.yaml")
    assert instellingen().data_dir == echte_map
    # The demo did get halfway — in its own folder, with signals dated ahead of today.
    demo_url = f"sqlite:///{echte_map / demo.DEMOMAP / 'aanpak.db'}"
    assert _tel(demo_url, Signaal) == 2
    assert _tel(demo_url, Casus) == 1
    # The real store has nothing: no signal, no case, nothing for recovery, however late it looks.
    assert _tel(instellingen().db_url(), Signaal) == 0
    assert _tel(instellingen().db_url(), Casus) == 0
    omg = bouw()
    try:
        assert herstel.onafgemaakt(omg, ouder_dan=timedelta(0)) == herstel.Onafgemaakt(signalen=[], besluiten=[])
    finally:
        omg.engine.dispose()
    assert not (echte_map / "postvak").exists()  # its notifications went to the demo's own mailbox

    # The next demo starts afresh: the stopped demo's case is gone from the demo folder (one case, not two).
    with pytest.raises(DomeinFout, match="gedwongen"):
        demo.main()
    assert _tel(demo_url, Casus) == 1
    assert _tel(instellingen().db_url(), Casus) == 0


# -- ops/server.sh: the background aanpak server of `make up` and `make demo` -------------------------------------

OPS = Path(__file__).resolve().parents[1] / "ops"


def _vrije_poort_in_bereik() -> int:
    """A free port of this project's range for hand-started servers (9222–9229)."""
    import socket

    for poort in range(9222, 9230):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", poort))
            except OSError:
                continue
            return poort
    pytest.skip("geen vrije poort in 9222–9229")


def _leeft(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_ops_server_sh_starts_reuses_and_stops_the_aanpak_server(tmp_path: Path) -> None:
    import httpx

    poort = _vrije_poort_in_bereik()
    url = f"http://127.0.0.1:{poort}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AANPAK_", "PREFECT_"))}
    env |= {
        "AANPAK_DATA_DIR": str(tmp_path / "data"),
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "AANPAK_PREFECT": "false",
        "AANPAK_POORT": str(poort),
        "VENV": str(Path(sys.executable).parent.parent),
    }
    pidbestand = tmp_path / "data" / "run" / "server.pid"

    def server_sh(opdracht: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(OPS / "server.sh"), opdracht],
            env=env,
            capture_output=True,
            text=True,
            timeout=wachttijden.PROCES,
            check=False,
        )

    pid = None
    try:
        gestart = server_sh("start")
        assert gestart.returncode == 0, gestart.stderr
        assert "aanpak-server gestart" in gestart.stdout
        assert f"{url}/api/v1/docs" in gestart.stdout
        assert "aanpak token a.mentor" in gestart.stdout
        pid = int(pidbestand.read_text())
        assert httpx.get(f"{url}/api/v1/gezondheid", timeout=wachttijden.HTTP_TIMEOUT).status_code == 200

        # A token of this installation's development issuer is accepted by it (iss names this port).
        token = subprocess.run(
            [str(Path(sys.executable).with_name("aanpak")), "token", "a.mentor"],
            env=env | {"AANPAK_SERVER_URL": url},
            capture_output=True,
            text=True,
            timeout=wachttijden.PROCES,
            check=True,
        ).stdout.strip()
        postvak = httpx.get(
            f"{url}/api/v1/postvak", headers={"Authorization": f"Bearer {token}"}, timeout=wachttijden.HTTP_TIMEOUT
        )
        assert postvak.status_code == 200, postvak.text

        hergebruikt = server_sh("start")
        assert hergebruikt.returncode == 0, hergebruikt.stderr
        assert f"draait al (pid {pid})" in hergebruikt.stdout
        assert int(pidbestand.read_text()) == pid

        gestopt = server_sh("stop")
        assert gestopt.returncode == 0, gestopt.stderr
        assert f"gestopt (pid {pid})" in gestopt.stdout
        assert not pidbestand.exists()
        assert not _leeft(pid)
        assert server_sh("status").returncode == 1
    finally:
        if pid is not None and _leeft(pid):
            os.kill(pid, signal.SIGKILL)

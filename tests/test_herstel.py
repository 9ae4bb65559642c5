"""A transition process that dies halfway, then runs again: the case ends exactly as if nothing had happened.

Each test prepares two identical case stores (SQLite files) up to a recorded-but-not-applied decision: AVE 2
with casusregie to the wijkteam, which offers a warm handoff and starts casusoverleg. In one store the
``stap-afgerond`` flow runs in a separate process (tests/herstel_proces.py) that hard-exits at a planted
point; then the same transition runs again in this process. In the other store it runs once, without a
crash. Both stores must then hold the same steps, history and outbox, row for row.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.sorting import FlowRunSort
from sqlalchemy import Engine, select, text

from aanpak import prefect_zombies, uitvoering
from aanpak.herstelronde import herstelronde
from aanpak.omgeving import Omgeving
from aanpak.store.schema import Besluit, Casus, Historie, Melding, Overdracht, Signaal, StapInstantie
from aanpak.usecases.besluit import BesluitIn, neem_besluit, pas_besluit_toe
from aanpak.usecases.herstel import Onafgemaakt, herstel, onafgemaakt
from aanpak.usecases.signaal import verwerk_signaal
from models.fouten import NietGevonden
from models.signaal import lees_signaal
from tests import wachttijden
from tests.conftest import Klok, PrefectServer, gemigreerde_sqlite, maak_omgeving
from tests.gegevens import SENTINELS, als, besluit, registreer, signaal_document, signaleer
from tests.herstel_proces import CRASHCODE

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday
SCHOOL = "school.zorgcoordinator"
WIJKTEAM = "wijkteam.casusregisseur"
STAP = "ave_regie_bepalen"
TABELLEN = ("casus", "signaal", "stap", "besluit", "overdracht", "historie", "melding")


#: Transitions run as in-process flow runs against the test server (tests/conftest.py: flows_in_proces).
pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("flows_in_proces")]


@dataclass
class Opzet:
    omg: Omgeving
    klok: Klok
    pad: Path
    casus_ref: str
    besluit_ref: str


@pytest.fixture
def bereid_voor(tmp_path: Path, sqlite_sjabloon: Path) -> Iterator[Callable[[str], Opzet]]:
    """A case store file with one case waiting for its AVE decision to be applied (recorded, not applied)."""
    engines: list[Engine] = []

    def maak(naam: str) -> Opzet:
        pad = tmp_path / f"{naam}.db"
        engine = gemigreerde_sqlite(sqlite_sjabloon, pad)
        engines.append(engine)
        klok = Klok(START)
        omg = maak_omgeving(engine, klok)
        casus = signaleer(omg).casus_ref
        klok.verder(days=1)
        besluit(omg, casus, "interne_weging", "eigen_ondersteuning", SCHOOL)
        klok.verder(days=1)
        besluit(omg, casus, "informeren_grondslag", "wettelijke_grondslag", SCHOOL)
        klok.verder(days=1)
        genomen = neem_besluit(
            omg,
            BesluitIn(
                casus_ref=casus,
                stap=STAP,
                uitkomst="lokaal",
                ave_fase=2,
                casusregie=WIJKTEAM,
                regie_voorstel="aanvaard",
            ),
            als(SCHOOL, "t.tester"),
        )
        klok.verder(hours=1)  # the transition runs a little later than the decision
        return Opzet(omg, klok, pad, casus, genomen.besluit_ref)

    yield maak
    for engine in engines:
        engine.dispose()


def stand(opzet: Opzet) -> dict[str, Any]:
    """The case as the store holds it, without random references and delivery bookkeeping."""
    with opzet.omg.uow() as s:
        casus = s.scalars(select(Casus).where(Casus.ref == opzet.casus_ref)).one()
        van_casus = casus.id
        return {
            "casus": (casus.status, casus.ave_niveau, casus.casusregie, casus.procesregie, casus.gesloten_op),
            "stappen": [
                (st.stap_key, st.volgnummer, st.status, st.eigenaar_rol, st.uitkomst, st.termijn_einde, st.afgerond_op)
                for st in s.scalars(
                    select(StapInstantie).where(StapInstantie.casus_id == van_casus).order_by(StapInstantie.id)
                )
            ],
            "besluiten": [
                (b.uitkomst, b.ave_niveau, b.casusregie, b.toegepast_op)
                for b in s.scalars(select(Besluit).where(Besluit.casus_id == van_casus).order_by(Besluit.id))
            ],
            "overdrachten": [
                (o.soort, o.van_rol, o.naar_rol, o.status, o.termijn_einde)
                for o in s.scalars(select(Overdracht).where(Overdracht.casus_id == van_casus).order_by(Overdracht.id))
            ],
            "historie": list(
                s.scalars(select(Historie.soort).where(Historie.casus_id == van_casus).order_by(Historie.id))
            ),
            "meldingen": [
                (m.soort, m.ontvanger_rol, m.stap_key, m.termijn_einde)
                for m in s.scalars(select(Melding).where(Melding.casus_id == van_casus).order_by(Melding.id))
            ],
        }


def tellingen(opzet: Opzet) -> dict[str, int]:
    with opzet.omg.engine.connect() as conn:
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in TABELLEN}  # noqa: S608


def crash(prefect_sessie: PrefectServer, opzet: Opzet, punt: str) -> dict[str, Any]:
    """Run the transition in a fresh process that is killed at ``punt``; returns what it saw just before."""
    env = {**os.environ, **prefect_sessie.env(), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    proces = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.herstel_proces",
            *("--db", str(opzet.pad), "--moment", opzet.klok().isoformat()),
            *("--casus", opzet.casus_ref, "--stap", STAP, "--besluit", opzet.besluit_ref, "--crash", punt),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=wachttijden.PROCES,
        check=False,
    )
    assert proces.returncode == CRASHCODE, f"exit {proces.returncode}\n{proces.stdout[-2000:]}\n{proces.stderr[-4000:]}"
    regels = [r for r in proces.stdout.splitlines() if r.startswith("{")]
    assert regels, proces.stdout
    gezien: dict[str, Any] = json.loads(regels[-1])
    assert gezien["punt"] == punt
    return gezien


def runs_van(casus_ref: str) -> list[FlowRun]:
    with get_client(sync_client=True) as client:
        return client.read_flow_runs(
            flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[f"casus:{casus_ref}"])),
            sort=FlowRunSort.START_TIME_ASC,
        )


def staat(run: FlowRun) -> StateType | None:
    return None if run.state is None else run.state.type


def pas_referentie_toe(referentie: Opzet) -> None:
    toegepast = uitvoering.na_besluit(referentie.omg, referentie.besluit_ref, referentie.casus_ref, STAP)
    assert not toegepast.al_toegepast
    assert toegepast.gestarte_stappen == ["casusoverleg"]


def test_crash_in_the_middle_of_the_transaction(
    prefect_server: str, prefect_sessie: PrefectServer, bereid_voor: Callable[[str], Opzet]
) -> None:
    opzet = bereid_voor("crash")
    referentie = bereid_voor("referentie")
    voor, voor_tellingen = stand(opzet), tellingen(opzet)
    assert voor == stand(referentie)
    assert (STAP, 1, "besloten") in [s[:3] for s in voor["stappen"]]

    gezien = crash(prefect_sessie, opzet, "in-transactie")
    # The process died after the step row was changed and the handoff offered, inside the transaction ...
    assert gezien["stappen"][STAP] == "afgerond"
    assert gezien["overdrachten"] == 1
    assert "casusoverleg" not in gezien["stappen"]
    # ... and nothing of it survived: the decision is recorded, not applied.
    assert stand(opzet) == voor
    assert tellingen(opzet) == voor_tellingen
    with opzet.omg.uow() as s:
        b = s.scalars(select(Besluit).where(Besluit.ref == opzet.besluit_ref)).one()
        assert b.toegepast_op is None
        assert s.get_one(StapInstantie, b.stap_id).status == "besloten"
    # Prefect saw the run start and never heard from it again.
    assert [staat(r) for r in runs_van(opzet.casus_ref)] == [StateType.RUNNING]

    # The recovery round (as `aanpak herstel` and the termijnbewaking run it) marks the dead process's run
    # Crashed and finds the decision still to apply.
    assert prefect_zombies.ruim_op() != []
    onaf = onafgemaakt(opzet.omg)
    assert onaf.besluiten == [(opzet.besluit_ref, opzet.casus_ref, STAP)]
    assert [staat(r) for r in runs_van(opzet.casus_ref)] == [StateType.CRASHED]

    toegepast = uitvoering.na_besluit(opzet.omg, opzet.besluit_ref, opzet.casus_ref, STAP)
    assert not toegepast.al_toegepast
    assert toegepast.gestarte_stappen == ["casusoverleg"]
    assert len(toegepast.overdrachten) == 1

    pas_referentie_toe(referentie)
    assert stand(opzet) == stand(referentie)
    assert tellingen(opzet) == tellingen(referentie)
    runs = runs_van(opzet.casus_ref)
    assert [staat(r) for r in runs] == [StateType.CRASHED, StateType.COMPLETED]
    assert runs[1].state is not None
    assert (runs[1].state.name or "").startswith("Wacht op overdracht casusregie — wijkteam — uiterlijk ")


def test_crash_after_commit_before_prefect_knows(
    prefect_server: str, prefect_sessie: PrefectServer, bereid_voor: Callable[[str], Opzet]
) -> None:
    opzet = bereid_voor("crash")
    referentie = bereid_voor("referentie")
    assert stand(opzet) == stand(referentie)

    gezien = crash(prefect_sessie, opzet, "na-commit")
    assert gezien["stappen"][STAP] == "afgerond"
    assert gezien["stappen"]["casusoverleg"] == "open"
    assert gezien["overdrachten"] == 1
    # The store is done; Prefect still thinks the run is going.
    na_crash, na_crash_tellingen = stand(opzet), tellingen(opzet)
    assert [s[:3] for s in na_crash["stappen"]][-2:] == [(STAP, 1, "afgerond"), ("casusoverleg", 1, "open")]
    assert [staat(r) for r in runs_van(opzet.casus_ref)] == [StateType.RUNNING]

    # Running the transition again first marks the killed run of this case Crashed.
    toegepast = uitvoering.na_besluit(opzet.omg, opzet.besluit_ref, opzet.casus_ref, STAP)
    assert toegepast.al_toegepast
    assert toegepast.gestarte_stappen == ["casusoverleg"]
    assert len(toegepast.overdrachten) == 1
    assert stand(opzet) == na_crash
    assert tellingen(opzet) == na_crash_tellingen

    pas_referentie_toe(referentie)
    assert stand(opzet) == stand(referentie)
    assert tellingen(opzet) == tellingen(referentie)
    runs = runs_van(opzet.casus_ref)
    assert [staat(r) for r in runs] == [StateType.CRASHED, StateType.COMPLETED]
    assert runs[1].state is not None
    assert (runs[1].state.name or "").startswith("Wacht op overdracht casusregie — wijkteam — uiterlijk ")


# -- aanpak herstel: a parallel round with an honest summary ---------------------------------------------------


def _achterstand(omg: Omgeving, klok: Klok) -> tuple[list[str], list[str]]:
    """Four cases with a recorded, unapplied decision and three unprocessed signals (two of one youth)."""
    casussen = []
    for i, naam in enumerate(("Anna", "Bram", "Cas", "Dirk")):
        casus = signaleer(omg, bsn=None, voornamen=naam, geboortedatum=f"2014-0{i + 1}-11").casus_ref
        neem_besluit(
            omg, BesluitIn(casus_ref=casus, stap="interne_weging", uitkomst="eigen_ondersteuning"), als(SCHOOL)
        )
        casussen.append(casus)
    signalen = [
        registreer(omg, lees_signaal(signaal_document(bsn=None, voornamen=naam, geboortedatum=datum))).signaal_ref
        for naam, datum in (("Eva", "2013-05-05"), ("Eva", "2013-05-05"), ("Fien", "2012-06-06"))
    ]
    klok.verder(hours=1)
    return casussen, signalen


def test_herstel_past_parallel_alles_precies_een_keer_toe(
    prefect_server: str, bereid_voor: Callable[[str], Opzet]
) -> None:
    opzet = bereid_voor("parallel")
    casussen, signalen = _achterstand(opzet.omg, opzet.klok)

    ronde = herstelronde(opzet.omg, minuten=0, parallel=4)

    assert (ronde.open, ronde.mislukt, ronde.niet_geprobeerd) == ([], [], 0)
    assert not ronde.werk_over
    assert sorted(u.ref for u in ronde.klaar if u.soort == "signaal") == sorted(signalen)
    besluiten = {u.casus_ref for u in ronde.klaar if u.soort == "besluit"}
    assert besluiten == {*casussen, opzet.casus_ref}
    assert onafgemaakt(opzet.omg, timedelta(0)) == Onafgemaakt(signalen=[], besluiten=[])
    with opzet.omg.uow() as s:
        # Two signals of one youth in one lane: one case, not two (and not a conflict).
        eva = {
            s.scalars(select(Casus.ref).join(Signaal, Signaal.casus_id == Casus.id).where(Signaal.ref == r)).one()
            for r in signalen[:2]
        }
        assert len(eva) == 1
        for casus in casussen:
            stappen = s.execute(
                select(StapInstantie.stap_key, StapInstantie.status)
                .join(Casus, Casus.id == StapInstantie.casus_id)
                .where(Casus.ref == casus)
            ).all()
            # Applied exactly once: the next step opened once.
            assert [k for k, _ in stappen].count("informeren_grondslag") == 1
            assert ("interne_weging", "afgerond") in stappen
    # Every transition ran as its own flow run (in process, four at a time) and completed.
    for casus in casussen:
        assert [staat(r) for r in runs_van(casus)] == [StateType.COMPLETED]

    nogmaals = herstelronde(opzet.omg, minuten=0, parallel=4)
    assert (nogmaals.klaar, nogmaals.open, nogmaals.mislukt) == ([], [], [])


def test_herstel_telt_open_en_mislukt_zonder_details(bereid_voor: Callable[[str], Opzet]) -> None:
    """The round's bookkeeping over its ports: a refusal and an unexpected error fail only their reference."""
    opzet = bereid_voor("boekhouding")
    casussen, signalen = _achterstand(opzet.omg, opzet.klok)
    kapot, weigert = casussen[0], casussen[1]

    def besluit_toepassen(besluit_ref: str, casus_ref: str, stap: str) -> None:
        if casus_ref == kapot:
            raise RuntimeError(f"{SENTINELS[0]} in een onverwachte melding")
        if casus_ref == weigert:
            raise NietGevonden(f"besluit '{besluit_ref}' bestaat niet", veld="besluit")
        pas_besluit_toe(opzet.omg, besluit_ref)

    def signaal_toepassen(signaal_ref: str) -> str:
        return verwerk_signaal(opzet.omg, signaal_ref).casus_ref

    ronde = herstel(opzet.omg, signaal_toepassen, besluit_toepassen, ouder_dan=timedelta(0), parallel=3)

    assert ronde.werk_over
    assert ronde.open == []
    mislukt = {u.casus_ref: u.reden for u in ronde.mislukt}
    assert mislukt[kapot] == "onverwachte fout (RuntimeError)"
    assert mislukt[weigert].endswith("bestaat niet")
    assert sorted(u.ref for u in ronde.klaar if u.soort == "signaal") == sorted(signalen)
    assert {u.casus_ref for u in ronde.klaar if u.soort == "besluit"} == {casussen[2], casussen[3], opzet.casus_ref}
    assert all(s not in repr(ronde) for s in SENTINELS)


def test_herstel_cli_prefect_weg_samenvatting_en_code_1(
    bereid_voor: Callable[[str], Opzet], monkeypatch: pytest.MonkeyPatch, flows_in_proces: None
) -> None:
    """`aanpak herstel` with Prefect away: the summary, each reference with a Dutch reason, exit 1, no traceback."""
    from prefect.settings import temporary_settings
    from typer.testing import CliRunner

    from aanpak.cli.main import app
    from aanpak.omgeving import zet_standaard

    opzet = bereid_voor("cli")
    _, signalen = _achterstand(opzet.omg, opzet.klok)
    zet_standaard(opzet.omg)
    with socket.socket() as vrij:  # a loopback port nobody listens on
        vrij.bind(("127.0.0.1", 0))
        poort = vrij.getsockname()[1]
    with temporary_settings(updates={"api.url": f"http://127.0.0.1:{poort}/api", "client.max_retries": 0}):
        uit = CliRunner().invoke(app, ["herstel", "--minuten", "0", "--parallel", "2"])
    assert uit.exit_code == 1, (uit.output, uit.exception)
    assert isinstance(uit.exception, SystemExit)
    tekst = " ".join(uit.output.split())
    assert "Traceback" not in tekst
    for ref in [*signalen, opzet.besluit_ref]:
        assert f"{ref}" in tekst
    assert "nog open: Prefect is niet bereikbaar; de overgang volgt zodra Prefect terug is" in tekst
    assert "0 signaal/signalen en 0 besluit(en) afgemaakt." in tekst
    assert "Nog open: 8, mislukt: 0." in tekst
    assert onafgemaakt(opzet.omg, timedelta(0)).signalen == signalen


def test_twee_herstelrondes_tegelijk_passen_alles_een_keer_toe(omg: Omgeving, klok: Klok) -> None:
    """Two rounds at once (two hosts running `aanpak herstel`), four lanes each, on SQLite and PostgreSQL: the
    use cases' locks make every transition happen once; the loser of a race finds it applied."""
    import threading

    casussen, signalen = _achterstand(omg, klok)
    with omg.uow() as s:
        besluiten = set(s.scalars(select(Besluit.ref).where(Besluit.toegepast_op.is_(None))).all())
    assert len(besluiten) == len(casussen)

    def signaal(ref: str) -> str:
        return verwerk_signaal(omg, ref).casus_ref

    def besluit_toepassen(besluit_ref: str, _casus: str, _stap: str) -> None:
        pas_besluit_toe(omg, besluit_ref)

    rondes: list[Any] = []
    start = threading.Barrier(2)

    def ronde() -> None:
        start.wait()
        rondes.append(herstel(omg, signaal, besluit_toepassen, ouder_dan=timedelta(0), parallel=4))

    draden = [threading.Thread(target=ronde) for _ in range(2)]
    for d in draden:
        d.start()
    for d in draden:
        d.join()

    assert len(rondes) == 2
    for r in rondes:
        assert r.mislukt == [], r.mislukt
        assert r.open == []
    # Every reference is done by one round or the other (the loser of a race finds it done: also "klaar").
    assert {u.ref for r in rondes for u in r.klaar} == {*signalen, *besluiten}
    assert onafgemaakt(omg, timedelta(0)) == Onafgemaakt(signalen=[], besluiten=[])
    with omg.uow() as s:
        for casus in casussen:
            stappen = s.scalars(
                select(StapInstantie.stap_key).join(Casus, Casus.id == StapInstantie.casus_id).where(Casus.ref == casus)
            ).all()
            assert list(stappen).count("informeren_grondslag") == 1, casus
        # Both signals of one youth joined one case.
        assert len({s.scalars(select(Signaal.casus_id).where(Signaal.ref == r)).one() for r in signalen[:2]}) == 1

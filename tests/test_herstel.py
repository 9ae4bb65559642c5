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
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.sorting import FlowRunSort
from sqlalchemy import Engine, select, text

from aanpak import prefect_zombies, uitvoering
from aanpak.omgeving import Omgeving
from aanpak.store.schema import Besluit, Casus, Historie, Melding, Overdracht, StapInstantie
from aanpak.usecases.besluit import BesluitIn, neem_besluit
from aanpak.usecases.herstel import onafgemaakt
from tests import wachttijden
from tests.conftest import Klok, PrefectServer, gemigreerde_sqlite, maak_omgeving
from tests.gegevens import als, besluit, signaleer
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

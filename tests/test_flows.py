"""The transition flows against a real Prefect server: what managers see, and that no personal data gets in.

A whole case (the path of ``aanpak/demo/``) runs through ``aanpak.uitvoering`` as in-process flow runs against
the session's Prefect test server, once per case store (SQLite, PostgreSQL). The Prefect client then shows what
a manager sees: one Completed run per transition, named after the case, tagged, with a state name saying what
the case waits for and a keyed artifact with one row per step instance.

The PII proof opens the Prefect server's own SQLite database and reads every column of every table; it also
reads all log output of the run. The personal data in ``tests.gegevens`` (and the reporter's contact details
and a decision's free-text motivation) must appear nowhere, while the case reference must.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from prefect import flow, get_client
from prefect.client.schemas.filters import (
    ArtifactCollectionFilter,
    ArtifactCollectionFilterKey,
    ArtifactFilter,
    ArtifactFilterKey,
    FlowRunFilter,
    FlowRunFilterId,
    FlowRunFilterTags,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.client.schemas.objects import FlowRun, State, StateType, TaskRun
from prefect.client.schemas.sorting import ArtifactSort, FlowRunSort
from prefect.logging.handlers import PrefectConsoleHandler
from prefect.settings import get_current_settings
from prefect.states import Completed, Failed
from sqlalchemy.exc import DBAPIError, OperationalError

from aanpak import uitvoering
from aanpak.omgeving import Omgeving, zet_standaard
from aanpak.usecases import overdracht
from aanpak.usecases.besluit import BesluitIn, BesluitToegepast, neem_besluit, pas_besluit_toe
from aanpak.usecases.casusbeeld import artefact_sleutel, casusbeeld
from aanpak.usecases.inzicht import tijdlijn
from flows.stap_afgerond import stap_afgerond
from models.fouten import Conflict, InvoerFout
from models.signaal import lees_signaal
from tasks.beleid import Fout, Storing, alleen_tijdelijk, is_tijdelijk, transitietaak, veilig
from tests import wachttijden
from tests.conftest import Klok
from tests.gegevens import (
    SENTINEL_ADRES,
    SENTINEL_BSN,
    SENTINEL_NAAM,
    SENTINEL_ZORG,
    SENTINELS,
    als,
    registreer,
    signaal_document,
    signaleer,
)

SCHOOL = "school.zorgcoordinator"
JGZ = "jgz.jeugdverpleegkundige"
WIJKTEAM = "wijkteam.casusregisseur"
GEMEENTE = "gemeente.procesregisseur"

#: Free-text motivation of one decision: personal data, stored encrypted, never for Prefect.
TOELICHTING = f"Gesprek met {SENTINEL_NAAM} ({SENTINEL_ADRES}); Toelichtingsentinel-QX7"

#: Everything personal that goes into the case store during the full case.
PERSOONSGEGEVENS = [
    *SENTINELS,
    SENTINEL_NAAM,
    SENTINEL_ZORG,
    "Sentinelzorg",
    "Mw. P. Melder",
    "P. Melder",
    "melder@school.example",
    "077-0000000",
    "5911 AA",
    "Toelichtingsentinel-QX7",
]

#: Step instances of the full case, in the order they were started; all end "afgerond".
STAPPEN_VOLLEDIG = [
    "signaal_registreren",
    "interne_weging",
    "afstemming_na_match",
    "informeren_grondslag",
    "ave_regie_bepalen",
    "casusoverleg",
    "plan_van_aanpak",
    "uitvoering_monitoring",
    "evaluatie",
    "op_afschalen",
    "nazorg",
    "afsluiting",
]


# -- fixtures and helpers -------------------------------------------------------------------------------------


#: Transitions run as in-process flow runs against the test server (tests/conftest.py: flows_in_proces).
pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("flows_in_proces")]


@dataclass
class Overgang:
    """One transition as the test drove it, and what the case store said right after it."""

    naam: str  # the run name Prefect should show
    wacht_op_begin: str  # what a manager must read at the start of the state name
    wacht_op: str  # the case view computed from the store right after the transition
    stap_instanties: int


@dataclass
class Verloop:
    casus_ref: str
    overgangen: list[Overgang] = field(default_factory=list)


def volledige_casus(omg: Omgeving, klok: Klok) -> Verloop:
    """The demo's path: school and JGZ signal one child, AVE 2 under the wijkteam, back to AVE 1, closure."""
    r1 = registreer(omg, lees_signaal(signaal_document(SCHOOL)))
    v1 = uitvoering.na_signaal(omg, r1.signaal_ref)
    assert v1.nieuwe_casus
    casus = v1.casus_ref
    verloop = Verloop(casus)

    def noteer(naam: str, begin: str) -> None:
        beeld = casusbeeld(omg, casus)
        verloop.overgangen.append(Overgang(f"{casus} · {naam}", begin, beeld.wacht_op, len(beeld.tabel)))

    noteer(f"signaal {r1.signaal_ref}", "Wacht op interne_weging — school — uiterlijk ")

    klok.verder(days=1)
    r2 = registreer(omg, lees_signaal(signaal_document(JGZ)))
    v2 = uitvoering.na_signaal(omg, r2.signaal_ref)
    assert (v2.casus_ref, v2.nieuwe_casus, v2.gematcht_op) == (casus, False, "bsn")
    noteer(f"signaal {r2.signaal_ref}", "Wacht op interne_weging — school — uiterlijk ")

    def stap(sleutel: str, uitkomst: str, rol: str, begin: str, dagen: int = 1, **extra: Any) -> list[str]:
        klok.verder(days=dagen)
        genomen = neem_besluit(
            omg,
            BesluitIn.model_validate({"casus_ref": casus, "stap": sleutel, "uitkomst": uitkomst} | extra),
            als(rol, "t.tester"),
        )
        toegepast = uitvoering.na_besluit(omg, genomen.besluit_ref, genomen.casus_ref, genomen.stap)
        assert (toegepast.besluit_ref, toegepast.al_toegepast) == (genomen.besluit_ref, False)
        noteer(sleutel, begin)
        return toegepast.overdrachten

    def accepteer(aanbod: list[str], rol: str, begin: str) -> None:
        assert len(aanbod) == 1
        klok.verder(days=1)
        overdracht.accepteer_overdracht(omg, aanbod[0], als(rol, "t.ontvanger"))
        uitvoering.na_overdracht(omg, aanbod[0], casus)
        noteer(f"overdracht {aanbod[0]}", begin)

    stap("afstemming_na_match", "afgestemd", SCHOOL, "Wacht op interne_weging — school — uiterlijk ")
    stap("interne_weging", "eigen_ondersteuning", SCHOOL, "Wacht op informeren_grondslag — school — uiterlijk ")
    stap("informeren_grondslag", "wettelijke_grondslag", SCHOOL, "Wacht op ave_regie_bepalen — school — uiterlijk ")
    aanbod = stap(
        "ave_regie_bepalen",
        "lokaal",
        SCHOOL,
        "Wacht op overdracht casusregie — wijkteam — uiterlijk ",
        ave_fase=2,
        casusregie=WIJKTEAM,
        regie_voorstel="aanvaard",
        toelichting=TOELICHTING,
    )
    accepteer(aanbod, WIJKTEAM, "Wacht op casusoverleg — gemeente — uiterlijk ")
    stap("casusoverleg", "plan_opstellen", GEMEENTE, "Wacht op plan_van_aanpak — wijkteam — uiterlijk ", 5)
    stap("plan_van_aanpak", "vastgesteld", WIJKTEAM, "Wacht op uitvoering_monitoring — wijkteam — uiterlijk ", 6)
    stap("uitvoering_monitoring", "evalueren", WIJKTEAM, "Wacht op evaluatie — wijkteam — uiterlijk ", 30)
    stap("evaluatie", "afschalen", WIJKTEAM, "Wacht op op_afschalen — gemeente — uiterlijk ", 5)
    aanbod = stap(
        "op_afschalen",
        "afgeschaald",
        GEMEENTE,
        "Wacht op overdracht casusregie — school — uiterlijk ",
        2,
        ave_fase=1,
        casusregie=SCHOOL,
        regie_voorstel="aanvaard",
    )
    accepteer(aanbod, SCHOOL, "Wacht op nazorg — school — uiterlijk ")
    stap("nazorg", "afgerond", SCHOOL, "Wacht op afsluiting — school — uiterlijk ", 60)
    stap("afsluiting", "gesloten", SCHOOL, "Gesloten", 2)
    return verloop


def runs_van(casus_ref: str) -> list[FlowRun]:
    with get_client(sync_client=True) as client:
        return client.read_flow_runs(
            flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[f"casus:{casus_ref}"])),
            sort=FlowRunSort.START_TIME_ASC,
        )


def prefect_database() -> Path:
    """The Prefect server's own database: ``<mkdtemp()>/prefect-test.db`` under ``prefect_test_harness``."""
    url = get_current_settings().server.database.connection_url
    assert url is not None
    tekst = url.get_secret_value()
    prefix = "sqlite+aiosqlite:///"
    assert tekst.startswith(prefix), "the test harness keeps Prefect on SQLite"
    pad = Path(tekst.removeprefix(prefix))
    assert pad.is_file()
    return pad


def lees_db(pad: Path, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(f"file:{pad}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute(sql, parameters).fetchall()
    finally:
        con.close()


def taakruns_van(flow_run_id: UUID, timeout: float = wachttijden.OPGESLAGEN) -> list[TaskRun]:
    """Task run states reach the server as events, after the flow run itself: wait until they are stored."""
    from prefect.events.worker import EventsWorker

    EventsWorker.drain_all()
    grens = time.monotonic() + timeout
    while True:
        with get_client(sync_client=True) as client:
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
        if (runs and all(r.state is not None and r.state.is_final() for r in runs)) or time.monotonic() > grens:
            return runs
        time.sleep(wachttijden.POLL)


def wacht_tot_opgeslagen(flow_run_id: UUID, eind: str, timeout: float = wachttijden.OPGESLAGEN) -> None:
    """Logs and events reach the server in batches: wait until the run's final log line and event are stored."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.instance().drain()
    EventsWorker.drain_all()
    pad = prefect_database()
    grens = time.monotonic() + timeout
    while True:
        logs = lees_db(
            pad, "SELECT count(*) FROM log WHERE flow_run_id = ? AND message LIKE ?", str(flow_run_id), f"{eind}%"
        )[0][0]
        events = lees_db(pad, "SELECT count(*) FROM events WHERE resource_id = ?", f"prefect.flow-run.{flow_run_id}")[
            0
        ][0]
        event_eind = lees_db(
            pad,
            "SELECT count(*) FROM events WHERE resource_id = ? AND event LIKE 'prefect.flow-run.%' "
            "AND event NOT IN ('prefect.flow-run.Pending', 'prefect.flow-run.Running')",
            f"prefect.flow-run.{flow_run_id}",
        )[0][0]
        if logs and events and event_eind:
            return
        if time.monotonic() > grens:
            pytest.fail(f"run {flow_run_id}: log/events not stored after {timeout}s ({logs=}, {events=})")
        time.sleep(wachttijden.POLL)


@dataclass
class Scan:
    rijen: dict[str, int]
    #: word → {(table, column)} where it was found
    treffers: dict[str, set[tuple[str, str]]]


def scan_database(pad: Path, woorden: list[str]) -> Scan:
    """Every column of every table, as text (blobs decoded ignoring errors), searched case-insensitively."""
    scan = Scan(rijen={}, treffers={w: set() for w in woorden})
    gezocht = [(w, w.lower()) for w in woorden]
    con = sqlite3.connect(f"file:{pad}?mode=ro", uri=True, timeout=30)
    try:
        tabellen = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for tabel in tabellen:
            cur = con.execute(f'SELECT * FROM "{tabel}"')  # noqa: S608 - names from sqlite_master
            kolommen = [d[0] for d in cur.description]
            aantal = 0
            for rij in cur:
                aantal += 1
                for kolom, waarde in zip(kolommen, rij, strict=True):
                    if waarde is None:
                        continue
                    tekst = (
                        waarde.decode("utf-8", errors="ignore") if isinstance(waarde, bytes) else str(waarde)
                    ).lower()
                    for woord, laag in gezocht:
                        if laag in tekst:
                            scan.treffers[woord].add((tabel, kolom))
            scan.rijen[tabel] = aantal
    finally:
        con.close()
    return scan


def geen_persoonsgegevens(tekst: str, waar: str) -> None:
    laag = tekst.lower()
    gevonden = [w for w in PERSOONSGEGEVENS if w.lower() in laag]
    assert not gevonden, f"personal data {gevonden} in {waar}"


# -- 1. the full case, as a manager sees it in Prefect ----------------------------------------------------------


def test_a_full_casus_in_prefect(prefect_server: str, omg: Omgeving, klok: Klok) -> None:
    verloop = volledige_casus(omg, klok)
    ref = verloop.casus_ref
    runs = runs_van(ref)

    # One Completed run per transition, in order, named after the case and the transition.
    assert [r.name for r in runs] == [o.naam for o in verloop.overgangen]
    assert len(runs) == 15
    for run, overgang in zip(runs, verloop.overgangen, strict=True):
        assert run.name.startswith(f"{ref} · ")
        assert run.state is not None
        assert run.state.type == StateType.COMPLETED, run.name
        assert (run.state.name or "").startswith(overgang.wacht_op_begin), (run.name, run.state.name)
        assert run.state.name == overgang.wacht_op, run.name  # the due date is the store's
        assert run.state.message is not None
        assert run.state.message.startswith(f"Casus {ref} — ")
        assert f"casus:{ref}" in run.tags
    assert runs[1].state is not None
    assert (runs[1].state.name or "").endswith("(+1)")  # interne_weging and afstemming_na_match both open
    assert runs[-1].state is not None
    assert runs[-1].state.name == "Gesloten"
    assert "status:gesloten" in runs[-1].tags

    # Casusregie follows the warm handoffs: the wijkteam from the first acceptance up to and including
    # afschalen, the school before and after. The AVE tag is the case's phase, except on the run that decided
    # a phase: that run carries the phase it decided (ave_regie_bepalen → ave:2, op_afschalen → ave:1), one
    # AVE tag per run.
    regie = [
        (
            [t for t in r.tags if t.startswith("ave:")],
            next(t for t in r.tags if t.startswith("regie:")),
        )
        for r in runs
    ]
    voor, tijdens, na = (
        [(["ave:1"], "regie:school")] * 5 + [(["ave:2"], "regie:school")],
        [(["ave:2"], "regie:wijkteam")] * 5 + [(["ave:1"], "regie:wijkteam")],
        [(["ave:1"], "regie:school")] * 3,
    )
    assert regie == voor + tijdens + na
    assert runs[5].name == f"{ref} · ave_regie_bepalen"
    assert runs[11].name == f"{ref} · op_afschalen"
    for run in runs:
        stap = run.name.removeprefix(f"{ref} · ")
        if stap in STAPPEN_VOLLEDIG:
            assert f"stap:{stap}" in run.tags

    # A keyed artifact per case: a new version per transition, one row per step instance.
    sleutel = f"casus-{ref.lower()}"
    assert artefact_sleutel(ref) == sleutel
    with get_client(sync_client=True) as client:
        versies = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[sleutel])), sort=ArtifactSort.CREATED_DESC
        )
        laatste = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(key=ArtifactCollectionFilterKey(any_=[sleutel]))
        )
    versies.reverse()
    assert len(versies) == len(runs)
    assert [v.flow_run_id for v in versies] == [r.id for r in runs]
    for versie, overgang in zip(versies, verloop.overgangen, strict=True):
        assert versie.type == "table"
        assert len(tabel_van(versie.data)) == overgang.stap_instanties
    assert len(laatste) == 1
    assert laatste[0].latest_id == versies[-1].id
    rijen = tabel_van(laatste[0].data)
    assert [r["stap"] for r in rijen] == STAPPEN_VOLLEDIG
    assert {r["status"] for r in rijen} == {"afgerond"}
    tl = tijdlijn(omg, ref)
    assert [(r["stap"], r["status"], r["uitkomst"]) for r in rijen] == [
        (s.stap, s.status, s.uitkomst or "") for s in tl.stappen
    ]
    assert (tl.status, tl.ave, tl.casusregie) == ("gesloten", 1, SCHOOL)


def tabel_van(data: Any) -> list[dict[str, str]]:
    rijen = json.loads(data) if isinstance(data, str) else data
    assert isinstance(rijen, list)
    return rijen


# -- 2. the PII proof -----------------------------------------------------------------------------------------


@pytest.fixture
def alle_logs(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> Iterator[pytest.LogCaptureFixture]:
    """Capture every log record at DEBUG: root, 'prefect', and Prefect's loggers that do not propagate."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="prefect")
    eigen = [logging.getLogger(n) for n in ("prefect._internal", "prefect.extra")]
    for logger in eigen:
        caplog.set_level(logging.DEBUG, logger=logger.name)
        logger.addHandler(caplog.handler)
    # Prefect's console handler bound sys.stderr when logging was set up (pytest's global capture then); point
    # it at the current stderr so that capfd sees its lines.
    console = [h for h in logging.getLogger().handlers if isinstance(h, PrefectConsoleHandler)]
    eerder = [(h.level, h.console.file) for h in console]
    for h in console:
        h.setLevel(logging.INFO)  # DEBUG lines reach caplog; the console's INFO lines suffice for capfd
        h.console.file = sys.stderr  # capfd's, since capfd is set up first
    yield caplog
    for h, (niveau, bestand) in zip(console, eerder, strict=True):
        h.setLevel(niveau)
        h.console.file = bestand
    for logger in eigen:
        logger.removeHandler(caplog.handler)


def test_no_personal_data_in_prefect(
    prefect_server: str,
    omg: Omgeving,
    klok: Klok,
    alle_logs: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    verloop = volledige_casus(omg, klok)
    ref = verloop.casus_ref
    runs = runs_van(ref)
    assert len(runs) == 15
    wacht_tot_opgeslagen(runs[-1].id, "Finished in state Gesloten")

    # The case store does hold the personal data (encrypted): the sentinels are real input, not a typo.
    with omg.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM jeugdige").scalar_one() == 1

    pad = prefect_database()
    scan = scan_database(pad, [*PERSOONSGEGEVENS, ref])
    lekken = {w: sorted(plekken) for w, plekken in scan.treffers.items() if w != ref and plekken}
    assert lekken == {}, f"personal data in Prefect's database {pad}: {lekken}"

    # Non-vacuous: the scan read the tables that matter, and it does find what is meant to be there.
    for tabel in ("flow_run", "flow_run_state", "task_run", "task_run_state", "log", "artifact", "events"):
        assert scan.rijen.get(tabel, 0) > 0, f"table {tabel} is empty or missing: {sorted(scan.rijen)}"
    assert len(scan.rijen) >= 20
    tabellen_met_ref = {t for t, _ in scan.treffers[ref]}
    assert {"flow_run", "log", "artifact", "events"} <= tabellen_met_ref, tabellen_met_ref
    assert ("flow_run", "name") in scan.treffers[ref]
    assert ("flow_run", "tags") in scan.treffers[ref]

    # All log output of the run: records at DEBUG (formatted, with tracebacks) and whatever hit stdout/stderr.
    records = alle_logs.records
    assert any(ref in r.getMessage() for r in records), "the capture saw the flows' own log lines"
    assert any(r.name.startswith("prefect") and r.levelno == logging.DEBUG for r in records)
    teksten = [r.getMessage() for r in records] + [r.exc_text or "" for r in records]
    geen_persoonsgegevens("\n".join(teksten), "log records")
    geen_persoonsgegevens(alle_logs.text, "formatted log output")
    uit, fout = capfd.readouterr()
    assert ref in uit + fout, "Prefect's console handler wrote the run's lines to stdout/stderr"
    geen_persoonsgegevens(uit, "stdout")
    geen_persoonsgegevens(fout, "stderr")

    # Results are not persisted: nothing under the local result storage either.
    opslag = get_current_settings().results.local_storage_path
    if opslag.exists():
        for bestand in opslag.rglob("*"):
            if bestand.is_file():
                geen_persoonsgegevens(bestand.read_bytes().decode("utf-8", errors="ignore"), str(bestand))


# -- 3. errors carry no personal data --------------------------------------------------------------------------


def lekkende_fout() -> None:
    """A careless error message, as a bug in a use case might produce."""
    raise ValueError(f"jeugdige {SENTINEL_NAAM}, bsn {SENTINEL_BSN}, {SENTINEL_ADRES}")


def lekkende_driverfout() -> None:
    """A driver error carrying the statement's parameters, as SQLAlchemy renders them by default."""
    raise OperationalError(
        "UPDATE jeugdige SET naam = ?", {"naam": SENTINEL_NAAM, "bsn": SENTINEL_BSN}, Exception("database is locked")
    )


@transitietaak
def lek_in_taak(casus_ref: str) -> str:
    lekkende_fout()
    return casus_ref


@flow(name="test-lek", flow_run_name="{casus_ref} · lektest", persist_result=False, log_prints=False)
def lek_flow(casus_ref: str) -> str:
    return lek_in_taak(casus_ref)


def test_task_errors_carry_no_personal_data(prefect_server: str, omg: Omgeving, klok: Klok) -> None:
    # The wrapper alone: message and printed traceback lose the data, the type survives.
    gevallen: list[tuple[Callable[[], None], type[Exception], str]] = [
        (lekkende_fout, Fout, "ValueError"),
        (lekkende_driverfout, Storing, "OperationalError"),
    ]
    for functie, soort, naam in gevallen:
        with pytest.raises(soort) as fout:
            veilig(functie)()
        assert naam in str(fout.value)
        assert fout.value.__cause__ is None
        assert fout.value.__suppress_context__
        geen_persoonsgegevens(str(fout.value), f"{naam} message")
        geen_persoonsgegevens("".join(traceback.format_exception(fout.value)), f"{naam} traceback")
        # ... while the original did carry it (the test would be vacuous otherwise)
        assert fout.value.__context__ is not None
        assert SENTINEL_NAAM in str(fout.value.__context__)

    # A real task in a real flow run: the run fails, and Prefect stores no personal data about it.
    verwerkt = signaleer(omg)
    ref = verwerkt.casus_ref
    state = lek_flow(ref, return_state=True)
    assert state.is_failed()
    run_id = state.state_details.flow_run_id
    assert run_id is not None
    taakruns = taakruns_van(run_id)
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(run_id)
    assert run.state is not None
    assert run.state.type == StateType.FAILED
    assert run.state.message is not None
    assert "onverwachte fout (ValueError)" in run.state.message
    geen_persoonsgegevens(run.state.message, "flow run state message")
    assert len(taakruns) == 1
    assert taakruns[0].run_count == 1  # a ValueError is not transient: no retries
    assert taakruns[0].state is not None
    assert taakruns[0].state.message is not None
    assert "onverwachte fout (ValueError)" in taakruns[0].state.message
    geen_persoonsgegevens(taakruns[0].state.message, "task run state message")
    wacht_tot_opgeslagen(run_id, "Finished in state Failed")
    with get_client(sync_client=True) as client:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
    assert any("Fout: onverwachte fout (ValueError)" in log.message for log in logs)
    assert any("Traceback" in log.message for log in logs), "the traceback was logged (and checked)"
    geen_persoonsgegevens("\n".join(log.message for log in logs), "the failed run's logs")
    scan = scan_database(prefect_database(), PERSOONSGEGEVENS)
    assert {w: p for w, p in scan.treffers.items() if p} == {}


def test_a_domain_error_in_a_flow_names_the_reference(prefect_server: str, omg: Omgeving, klok: Klok) -> None:
    verwerkt = signaleer(omg)
    zet_standaard(omg)
    state = stap_afgerond(
        casus_ref=verwerkt.casus_ref, stap="interne_weging", besluit_ref="B-ONBEKEND", return_state=True
    )
    assert state.is_failed()
    run_id = state.state_details.flow_run_id
    assert run_id is not None
    taakruns = taakruns_van(run_id)
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(run_id)
    assert run.name == f"{verwerkt.casus_ref} · interne_weging"
    assert run.state is not None
    assert run.state.type == StateType.FAILED
    assert run.state.message is not None
    assert "besluit 'B-ONBEKEND' bestaat niet" in run.state.message
    geen_persoonsgegevens(run.state.message, "flow run state message")
    (taak,) = taakruns
    assert taak.name.startswith("pas-besluit-toe")
    assert taak.run_count == 1  # NietGevonden is final: no retries
    # The store is untouched: interne_weging still waits.
    assert [(s.stap, s.status) for s in tijdlijn(omg, verwerkt.casus_ref).stappen] == [
        ("signaal_registreren", "afgerond"),
        ("interne_weging", "open"),
    ]


# -- 4. retry policy --------------------------------------------------------------------------------------------


def test_retry_policy_only_transient_errors(prefect_server: str, omg: Omgeving, klok: Klok) -> None:
    locked = OperationalError("UPDATE stap SET status = ?", {"status": "afgerond"}, Exception("database is locked"))
    assert is_tijdelijk(locked)
    assert is_tijdelijk(Storing("database weg"))
    assert is_tijdelijk(DBAPIError("SELECT 1", {}, Exception("server closed"), connection_invalidated=True))
    assert not is_tijdelijk(DBAPIError("SELECT 1", {}, Exception("syntax")))
    assert not is_tijdelijk(InvoerFout([("stap", "onbekende stap 'x'")]))
    assert not is_tijdelijk(Conflict("over stap 'interne_weging' is al besloten"))
    assert not is_tijdelijk(Fout("onverwachte fout (ValueError)"))

    verwerkt = signaleer(omg)
    genomen = neem_besluit(
        omg,
        BesluitIn(casus_ref=verwerkt.casus_ref, stap="interne_weging", uitkomst="eigen_ondersteuning"),
        als(SCHOOL, "t.tester"),
    )

    # Two transient faults, then the real use case: three calls, one application.
    pogingen: list[str] = []

    def wankel_toepassen(besluit_ref: str) -> BesluitToegepast:
        pogingen.append(besluit_ref)
        if len(pogingen) < 3:
            raise OperationalError("UPDATE stap SET status = ?", {"status": "afgerond"}, Exception("locked"))
        return pas_besluit_toe(omg, besluit_ref)

    taak = transitietaak(wankel_toepassen).with_options(retry_delay_seconds=0)
    assert taak.retries == 4
    assert taak.retry_condition_fn is alleen_tijdelijk
    toegepast = taak(genomen.besluit_ref)
    assert pogingen == [genomen.besluit_ref] * 3
    assert toegepast.gestarte_stappen == ["informeren_grondslag"]
    assert not toegepast.al_toegepast

    # The retry condition on real states.
    run = TaskRun(task_key="t", dynamic_key="0")
    assert alleen_tijdelijk(taak, run, Failed(data=Storing("weg")))
    assert alleen_tijdelijk(taak, run, Failed(data=locked))
    assert not alleen_tijdelijk(taak, run, Failed(data=Conflict("al besloten")))
    assert not alleen_tijdelijk(taak, run, Completed(data=1))

    # Final errors: called exactly once.
    for fout in (Conflict("over stap 'interne_weging' is al besloten"), InvoerFout([("stap", "onbekend")])):
        aanroepen: list[str] = []

        def weigert(besluit_ref: str, fout: Exception = fout, aanroepen: list[str] = aanroepen) -> str:
            aanroepen.append(besluit_ref)
            raise fout

        state: State[Any] = transitietaak(weigert).with_options(retry_delay_seconds=0)(
            genomen.besluit_ref, return_state=True
        )
        assert state.is_failed()
        assert aanroepen == [genomen.besluit_ref], type(fout).__name__

    # A fault that stays transient: 1 + 4 retries, then the run fails as Storing.
    storingen: list[str] = []

    def blijft_weg(besluit_ref: str) -> str:
        storingen.append(besluit_ref)
        raise Storing("database weg")

    state = transitietaak(blijft_weg).with_options(retry_delay_seconds=0)(genomen.besluit_ref, return_state=True)
    assert state.is_failed()
    assert len(storingen) == 5
    with pytest.raises(Storing):
        state.result()


# -- 5. scheduled runs in the managers' Runs list ---------------------------------------------------------------


def test_scheduled_runs_have_readable_names(prefect_server: str, omg: Omgeving, klok: Klok) -> None:
    """Each scheduled flow names its run after itself and its planned moment (Amsterdam), never a random name."""
    from prefect.flow_engine import run_flow
    from prefect.states import Scheduled

    from flows.bewaring import bewaring
    from flows.rapportage import rapportage
    from flows.termijnbewaking import termijnbewaking
    from models.kalender import AMSTERDAM

    gepland = datetime(2026, 12, 1, 14, 15, tzinfo=AMSTERDAM)  # a slot of the schedule, 13:15 UTC
    zet_standaard(omg)
    try:
        namen: dict[str, str] = {}
        for soort, f in (("termijnbewaking", termijnbewaking), ("bewaring", bewaring), ("rapportage", rapportage)):
            with get_client(sync_client=True) as client:
                run = client.create_flow_run(f, state=Scheduled(scheduled_time=gepland))
            state = run_flow(f, flow_run=run, return_type="state")
            assert isinstance(state, State)
            assert state.is_completed(), (soort, state.message)
            with get_client(sync_client=True) as client:
                namen[soort] = client.read_flow_run(run.id).name
    finally:
        zet_standaard(None)
    assert namen == {
        "termijnbewaking": "termijnbewaking · 01-12 14:15",
        "bewaring": "bewaring · 01-12 14:15",
        "rapportage": "rapportage · 01-12 14:15",
    }

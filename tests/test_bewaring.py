"""Retention as code: terms, legal holds, erasure on request, and the purge of our store and of Prefect.

The store tests run on SQLite and PostgreSQL (``omg``). The end-to-end test runs a whole case through the real
flows against the session's Prefect server, closes it, moves the clock past the term, runs the ``bewaring``
flow, and then reads our SQLite file (raw bytes, before and after a WAL checkpoint) and every row of Prefect's
database: no sentinel, and no row naming the case outside the deletion and disclosure logs.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from aanpak.omgeving import Omgeving, zet_standaard
from aanpak.store.db import maak_engine, migreer
from aanpak.store.schema import Basis, Bewaarplicht, Casus, Jeugdige, Signaal, Verwerking, Verwijdering
from aanpak.usecases import bewaring, logboek
from aanpak.usecases.bewaring import Bewaarplichtreden, Grond
from models.fouten import DefinitieFout, DomeinFout, NietGevonden
from models.werkproces import Bewaartermijn, laad_tekst
from tests import wachttijden
from tests.conftest import Klok, maak_omgeving
from tests.gegevens import SENTINELS, als, besluit, registreer, signaal_document, signaleer

SCHOOL = "school.zorgcoordinator"
LOKET = "gemeente.privacyloket"


def gesloten_casus(omg: Omgeving, klok: Klok, **kwargs: Any) -> str:
    """A case that opens on a signal and closes at once (no concerns): two decisions."""
    ref = signaleer(omg, **kwargs).casus_ref
    klok.verder(days=1)
    besluit(omg, ref, "interne_weging", "geen_zorg", SCHOOL)
    klok.verder(days=1)
    besluit(omg, ref, "afsluiting", "gesloten", SCHOOL)
    with omg.uow() as sessie:
        casus = sessie.scalar(select(Casus).where(Casus.ref == ref))
        assert casus is not None
        assert casus.status == "gesloten"
        assert casus.gesloten_op == klok.moment
    return ref


def tel(omg: Omgeving, model: type[Basis]) -> int:
    with omg.uow() as sessie:
        return int(sessie.scalar(select(func.count()).select_from(model)) or 0)


def rijen_over(omg: Omgeving, woorden: list[str]) -> dict[str, list[str]]:
    """Every table's rows as text, searched case-insensitively: word → tables where it occurs."""
    gevonden: dict[str, list[str]] = {}
    with omg.engine.connect() as conn:
        for tabel in Basis.metadata.sorted_tables:
            for rij in conn.execute(select(tabel)):
                tekst = " ".join(
                    (w.decode("utf-8", "ignore") if isinstance(w, bytes) else str(w)) for w in rij if w is not None
                ).lower()
                for woord in woorden:
                    if woord.lower() in tekst:
                        gevonden.setdefault(woord, []).append(tabel.name)
    return gevonden


# -- the terms in the definition ----------------------------------------------------------------------------


def test_terms_in_the_definition(omg: Omgeving) -> None:
    t = omg.werkprocessen.bestand()[0].bewaartermijnen
    assert (t.gesloten_casus.jaren, t.signaal_zonder_casus.jaren, t.verwerkingslog.jaren) == (2, 2, 5)
    assert t.verwijderlog.jaren >= 1
    assert all(x.bron for x in (t.gesloten_casus, t.signaal_zonder_casus, t.verwerkingslog, t.verwijderlog))
    # Calendar arithmetic: a leap day plus one year is the last day of February.
    from datetime import UTC, datetime

    assert Bewaartermijn(jaren=1).einde(datetime(2024, 2, 29, tzinfo=UTC)) == datetime(2025, 2, 28, tzinfo=UTC)
    assert Bewaartermijn(maanden=1).einde(datetime(2026, 1, 31, tzinfo=UTC)) == datetime(2026, 2, 28, tzinfo=UTC)
    assert Bewaartermijn(maanden=14).grens(datetime(2026, 3, 15, tzinfo=UTC)) == datetime(2025, 1, 15, tzinfo=UTC)
    assert Bewaartermijn(jaren=2, maanden=6).tekst() == "2 jaar en 6 maanden"


def test_a_term_must_be_positive(omg: Omgeving) -> None:
    tekst = omg.werkprocessen.bestand()[1]
    kapot = tekst.replace("  gesloten_casus:\n    jaren: 2\n", "  gesloten_casus:\n    jaren: 0\n", 1)
    assert kapot != tekst
    with pytest.raises(DefinitieFout) as fout:
        laad_tekst(kapot, "test.yaml")
    assert any(pad.startswith("bewaartermijnen.gesloten_casus") for pad, _ in fout.value.problemen)
    negatief = tekst.replace("  verwerkingslog:\n    jaren: 5\n", "  verwerkingslog:\n    jaren: -1\n", 1)
    assert negatief != tekst
    with pytest.raises(DefinitieFout):
        laad_tekst(negatief, "test.yaml")


# -- terms computed right -------------------------------------------------------------------------------------


def test_term_passed_only_after_two_years(omg: Omgeving, klok: Klok) -> None:
    ref = gesloten_casus(omg, klok)
    gesloten_op = klok.moment
    open_ref = signaleer(omg, bsn=None, voornamen="Anna", achternaam="Open", geboortedatum="2015-01-01").casus_ref

    klok.moment = gesloten_op + timedelta(days=365 * 2) - timedelta(days=1)  # 2027-12: one day before the term
    leeg = bewaring.te_verwijderen(omg)
    assert leeg.casussen == []
    assert leeg.geblokkeerd == []
    with pytest.raises(DomeinFout, match="nog niet verstreken"):
        bewaring.verwijder_casus(omg, ref, Grond.BEWAARTERMIJN, bewaring.SYSTEEM)

    klok.moment = gesloten_op.replace(year=gesloten_op.year + 2) - timedelta(seconds=1)
    assert bewaring.te_verwijderen(omg).casussen == []
    klok.moment = gesloten_op.replace(year=gesloten_op.year + 2) + timedelta(seconds=1)
    overzicht = bewaring.te_verwijderen(omg)
    assert [c.casus_ref for c in overzicht.casussen] == [ref]  # the open case is never a candidate
    te = overzicht.casussen[0]
    assert te.termijn_einde == gesloten_op.replace(year=gesloten_op.year + 2)
    assert te.aantallen["casus"] == 1
    assert te.aantallen["jeugdige"] == 1
    assert te.aantallen["stap"] >= 2
    assert open_ref not in overzicht.model_dump_json()
    # A dry run changes nothing.
    assert tel(omg, Casus) == 2
    assert tel(omg, Verwijdering) == 0


# -- deleting a case ------------------------------------------------------------------------------------------


def test_deletion_erases_everything_of_the_casus_and_is_idempotent(omg: Omgeving, klok: Klok) -> None:
    ref = gesloten_casus(omg, klok)
    # Another youth with an open case stays untouched.
    ander = signaleer(omg, bsn=None, voornamen="Anna", achternaam="Ander", geboortedatum="2015-01-01").casus_ref
    with omg.uow() as sessie:
        logboek.schrijf(
            sessie,
            moment=klok.moment,
            casus_ref=ref,
            handeling="inzien",
            actor="t.tester",
            rol=SCHOOL,
            organisatie="school",
            doel="casusregie",
            uitkomst="verstrekt",
            categorieen=["identiteit"],
        )
    voor = rijen_over(omg, [*SENTINELS, ref])
    assert not set(voor) & set(SENTINELS)  # identities are stored encrypted; the case ref in plain text
    assert {"casus", "historie", "verwerking"} <= set(voor[ref])
    klok.moment = klok.moment.replace(year=klok.moment.year + 3)

    weg = bewaring.verwijder_casus(omg, ref, Grond.BEWAARTERMIJN, bewaring.SYSTEEM)
    assert not weg.al_verwijderd
    assert weg.aantallen["casus"] == 1
    assert weg.aantallen["jeugdige"] == 1
    assert weg.aantallen["signaal"] == 1
    assert {"stap", "besluit", "historie", "melding"} <= set(weg.aantallen)

    # Nothing of the case remains, except the deletion log and the disclosure log (by reference).
    na = rijen_over(omg, [ref])
    assert sorted(set(na.get(ref, []))) == ["verwerking", "verwijdering"]
    assert tel(omg, Jeugdige) == 1
    assert tel(omg, Casus) == 1
    assert tel(omg, Signaal) == 1
    with omg.uow() as sessie:
        assert sessie.scalar(select(Casus.status).where(Casus.ref == ander)) == "open"
        wissen = sessie.scalars(select(Verwerking).where(Verwerking.handeling == "wissen")).all()
        assert [(w.casus_ref, w.doel, w.uitkomst) for w in wissen] == [(ref, "bewaartermijn", "vastgelegd")]
        assert logboek.verifieer(sessie).in_orde

    # Idempotent: a second run returns the first deletion and changes nothing.
    log_voor = tel(omg, Verwerking)
    nog_eens = bewaring.verwijder_casus(omg, ref, Grond.BEWAARTERMIJN, bewaring.SYSTEEM)
    assert nog_eens.al_verwijderd
    assert nog_eens.verwijdering_ref == weg.verwijdering_ref
    assert nog_eens.aantallen == weg.aantallen
    assert tel(omg, Verwijdering) == 1
    assert tel(omg, Verwerking) == log_voor
    assert bewaring.te_verwijderen(omg).casussen == []
    with pytest.raises(NietGevonden):
        bewaring.verwijder_casus(omg, "C-ONBEKEND", Grond.BEWAARTERMIJN, bewaring.SYSTEEM)
    with pytest.raises(DomeinFout, match="alleen het privacyloket"):
        bewaring.verwijder_casus(omg, ander, Grond.VERZOEK_BETROKKENE, als(SCHOOL, "a.mentor"))


def test_deletion_log_without_personal_data(omg: Omgeving, klok: Klok) -> None:
    ref = gesloten_casus(omg, klok)
    klok.moment = klok.moment.replace(year=klok.moment.year + 3)
    bewaring.verwijder_casus(omg, ref, Grond.BEWAARTERMIJN, bewaring.SYSTEEM)
    log = bewaring.verwijderlog(omg)
    assert len(log) == 1
    assert log[0]["casus_ref"] == ref
    assert log[0]["grond"] == "bewaartermijn"
    tekst = repr(log).lower()
    for woord in [*SENTINELS, "melder", "077-0000000", "5911"]:
        assert woord.lower() not in tekst
    # The whole store holds no sentinel in plain text any more (they were encrypted before; now they are gone).
    assert rijen_over(omg, SENTINELS) == {}
    assert tel(omg, Jeugdige) == 0


def test_jeugdige_stays_with_another_casus(omg: Omgeving, klok: Klok) -> None:
    eerste = gesloten_casus(omg, klok)
    klok.verder(days=30)
    tweede = signaleer(omg).casus_ref  # the same youth (BSN) signalled again: a new case
    assert tweede != eerste
    klok.moment = klok.moment.replace(year=klok.moment.year + 3)
    weg = bewaring.verwijder_casus(omg, eerste, Grond.BEWAARTERMIJN, bewaring.SYSTEEM)
    assert "jeugdige" not in weg.aantallen
    assert tel(omg, Jeugdige) == 1
    assert tel(omg, Casus) == 1


# -- legal hold -----------------------------------------------------------------------------------------------


def test_bewaarplicht_blocks_term_and_request(omg: Omgeving, klok: Klok) -> None:
    ref = gesloten_casus(omg, klok)
    with pytest.raises(DomeinFout, match="privacyloket"):
        bewaring.zet_bewaarplicht(omg, ref, Bewaarplichtreden.RECHTSVORDERING, als(SCHOOL, "a.mentor"))
    hold = bewaring.zet_bewaarplicht(omg, ref, Bewaarplichtreden.RECHTSVORDERING, als(LOKET, "p.loket"))
    assert bewaring.zet_bewaarplicht(omg, ref, Bewaarplichtreden.RECHTSVORDERING, als(LOKET, "p.loket")) == hold
    klok.moment = klok.moment.replace(year=klok.moment.year + 3)

    overzicht = bewaring.te_verwijderen(omg)
    assert overzicht.casussen == []
    assert [(g.casus_ref, g.redenen) for g in overzicht.geblokkeerd] == [(ref, ["rechtsvordering"])]
    with pytest.raises(DomeinFout, match="bewaarplicht \\(rechtsvordering\\)"):
        bewaring.verwijder_casus(omg, ref, Grond.BEWAARTERMIJN, bewaring.SYSTEEM)
    with pytest.raises(DomeinFout, match=r"geweigerd: .*bewaarplicht") as fout:
        bewaring.wis_op_verzoek(omg, ref, als(LOKET, "p.loket"))
    for woord in SENTINELS:
        assert woord.lower() not in str(fout.value).lower()
    assert tel(omg, Casus) == 1
    assert tel(omg, Verwijdering) == 0
    with omg.uow() as sessie:
        geweigerd = sessie.scalars(select(Verwerking).where(Verwerking.uitkomst == "geweigerd")).all()
        assert [(g.handeling, g.reden) for g in geweigerd] == [("wissen", "bewaarplicht")]

    opgeheven = bewaring.hef_bewaarplicht_op(omg, ref, als(LOKET, "p.loket"))
    assert [h.bewaarplicht_ref for h in opgeheven] == [hold.bewaarplicht_ref]
    assert opgeheven[0].opgeheven
    with pytest.raises(DomeinFout, match="geen bewaarplicht"):
        bewaring.hef_bewaarplicht_op(omg, ref, als(LOKET, "p.loket"))
    assert [c.casus_ref for c in bewaring.te_verwijderen(omg).casussen] == [ref]
    weg = bewaring.verwijder_casus(omg, ref, Grond.BEWAARTERMIJN, bewaring.SYSTEEM)
    assert weg.aantallen["bewaarplicht"] == 1  # the lifted hold goes with the case
    assert tel(omg, Bewaarplicht) == 0


def test_bewaarplicht_with_end_date_lapses_by_itself(omg: Omgeving, klok: Klok) -> None:
    ref = gesloten_casus(omg, klok)
    bewaring.zet_bewaarplicht(
        omg,
        ref,
        Bewaarplichtreden.STRAFRECHTELIJK_ONDERZOEK,
        als(LOKET, "p.loket"),
        tot=klok.moment + timedelta(days=1000),
    )
    klok.moment += timedelta(days=999)
    assert bewaring.te_verwijderen(omg).geblokkeerd[0].redenen == ["strafrechtelijk_onderzoek"]
    klok.moment += timedelta(days=2)
    assert [c.casus_ref for c in bewaring.te_verwijderen(omg).casussen] == [ref]


# -- erasure on request -----------------------------------------------------------------------------------------


def test_wissen_on_request(omg: Omgeving, klok: Klok) -> None:
    open_ref = signaleer(omg).casus_ref
    with pytest.raises(DomeinFout, match="alleen het privacyloket"):
        bewaring.wis_op_verzoek(omg, open_ref, als(SCHOOL, "a.mentor"))
    with pytest.raises(DomeinFout, match=r"geweigerd: .*nog open"):
        bewaring.wis_op_verzoek(omg, open_ref, als(LOKET, "p.loket"))
    assert tel(omg, Casus) == 1

    klok.verder(days=1)
    besluit(omg, open_ref, "interne_weging", "geen_zorg", SCHOOL)
    klok.verder(days=1)
    besluit(omg, open_ref, "afsluiting", "gesloten", SCHOOL)
    klok.verder(days=2)  # well within the term: an erasure request does not wait for it
    weg = bewaring.wis_op_verzoek(omg, open_ref, als(LOKET, "p.loket"))
    assert weg.grond == "verzoek_betrokkene"
    assert weg.aantallen["jeugdige"] == 1
    assert tel(omg, Casus) == 0
    assert tel(omg, Jeugdige) == 0
    assert bewaring.wis_op_verzoek(omg, open_ref, als(LOKET, "p.loket")).al_verwijderd
    with omg.uow() as sessie:
        log = sessie.scalars(select(Verwerking).where(Verwerking.handeling == "wissen")).all()
        assert [(v.uitkomst, v.reden, v.rol) for v in log] == [
            ("geweigerd", "casus_open", LOKET),
            ("vastgelegd", None, LOKET),
        ]
    assert [ref for ref, _ in bewaring.prefect_open(omg)] == [weg.verwijdering_ref]
    bewaring.noteer_prefect(omg, weg.verwijdering_ref, {"flow_runs": 3, "artefacten": 3})
    assert bewaring.prefect_open(omg) == []
    assert bewaring.verwijderlog(omg)[0]["prefect"] == {"artefacten": 3, "flow_runs": 3}


# -- signals without a case, and the logs' own terms --------------------------------------------------------


def test_signaal_without_casus_and_the_logs(omg: Omgeving, klok: Klok) -> None:
    from models.signaal import lees_signaal

    zwerver = registreer(omg, lees_signaal(signaal_document(sleutel="zwerfsignaal-00000001"))).signaal_ref  # never run
    with omg.uow() as sessie:
        logboek.schrijf(
            sessie,
            moment=klok.moment,
            casus_ref=None,
            handeling="inzien",
            actor="t.tester",
            rol=SCHOOL,
            organisatie="school",
            doel="test",
            uitkomst="geweigerd",
        )
    klok.moment = klok.moment.replace(year=klok.moment.year + 2) - timedelta(days=1)
    assert bewaring.te_verwijderen(omg).signalen == []
    klok.verder(days=2)
    overzicht = bewaring.te_verwijderen(omg)
    assert overzicht.signalen == [zwerver]
    assert overzicht.verwerkingslog == 0
    weg = bewaring.verwijder_signaal(omg, zwerver)
    assert weg.aantallen == {"jeugdige": 1, "signaal": 1, "verzoek": 1}
    assert bewaring.verwijder_signaal(omg, zwerver).al_verwijderd
    assert rijen_over(omg, SENTINELS) == {}

    klok.moment = klok.moment.replace(year=klok.moment.year + 6)  # > 5 years after the entry and the deletion
    overzicht = bewaring.te_verwijderen(omg)
    assert overzicht.verwerkingslog == 2  # the refused inzien, and the signal's deletion ("wissen")
    assert overzicht.verwijderlog == 1
    gesnoeid = bewaring.snoei_logboeken(omg)
    assert (gesnoeid.verwerkingslog, gesnoeid.verwijderlog) == (2, 1)
    assert bewaring.snoei_logboeken(omg) == bewaring.Gesnoeid(verwerkingslog=0, verwijderlog=0)
    with omg.uow() as sessie:
        assert logboek.verifieer(sessie).in_orde


def test_secure_delete_on_sqlite(omg: Omgeving) -> None:
    if omg.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with omg.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar_one() == 1


# -- end to end: a full case through Prefect, purged by the bewaring flow -----------------------------------------


def ruwe_bytes(pad: Path) -> bytes:
    """The database file and its WAL, as on disk."""
    wal = pad.with_name(pad.name + "-wal")
    return pad.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def wacht_tot_logs_weg(run_ids: list[UUID], timeout: float = wachttijden.OPGESLAGEN) -> None:
    """The server deletes a deleted run's logs in a background task: wait until they are gone."""
    from aanpak.prefect_opschoning import resterende_logs

    grens = time.monotonic() + timeout
    while resterende_logs(run_ids):
        if time.monotonic() > grens:
            pytest.fail(f"logs of deleted runs still present after {timeout}s")
        time.sleep(wachttijden.POLL)


@pytest.mark.prefect
@pytest.mark.usefixtures("flows_in_proces")
def test_bewaring_erases_the_casus_from_store_and_prefect(prefect_server: str, tmp_path: Path, klok: Klok) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    from flows.bewaring import bewaring as bewaring_flow
    from tests.test_flows import (
        PERSOONSGEGEVENS,
        lees_db,
        prefect_database,
        runs_van,
        scan_database,
        volledige_casus,
        wacht_tot_opgeslagen,
    )

    db = tmp_path / "aanpak.db"
    engine = maak_engine(f"sqlite:///{db}")
    migreer(engine)
    omg = maak_omgeving(engine, klok)
    ref = volledige_casus(omg, klok).casus_ref
    runs = runs_van(ref)
    assert len(runs) == 15
    wacht_tot_opgeslagen(runs[-1].id, "Finished in state Gesloten")  # no late log line after the purge
    with engine.connect() as conn:
        geheim = conn.execute(select(Jeugdige.identiteit_versleuteld, Jeugdige.bsn_hash, Jeugdige.naam_hash)).one()
        gesloten_op = conn.execute(select(Casus.gesloten_op)).scalar_one()
    assert gesloten_op is not None
    # What identifies the child in our file: the ciphertext and the keyed hashes (the plain data never was).
    sporen = [bytes(geheim[0])[:48], str(geheim[1]).encode(), str(geheim[2]).encode()]
    inhoud = ruwe_bytes(db)
    assert all(s in inhoud for s in sporen), "the raw scan finds the youth's ciphertext and hashes before"

    # One day before the term nothing is due; the dry run (outside Prefect: the flow takes no parameter) deletes
    # nothing.
    zet_standaard(omg)
    klok.moment = gesloten_op.replace(year=gesloten_op.year + 2) - timedelta(days=1)
    vooraf = bewaring_flow(return_state=True)
    assert vooraf.name == "0 casussen verwijderd"
    klok.moment = gesloten_op.replace(year=gesloten_op.year + 2) + timedelta(days=1)
    assert [c.casus_ref for c in bewaring.te_verwijderen(omg).casussen] == [ref]
    assert len(runs_van(ref)) == 15
    assert tel(omg, Casus) == 1

    state = bewaring_flow(return_state=True)
    assert state.is_completed()
    assert state.name == "1 casussen verwijderd"

    # Prefect: the case's runs and every version of its artifact are gone (via the client).
    assert runs_van(ref) == []
    with get_client(sync_client=True) as client:
        sleutel = f"casus-{ref.lower()}"
        assert client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[sleutel]))) == []
        verslag = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["bewaring"])), sort=ArtifactSort.CREATED_DESC
        )  # newest first: the run before published its own version
    assert verslag
    assert ref in str(verslag[0].data)
    wacht_tot_logs_weg([r.id for r in runs])
    log = bewaring.verwijderlog(omg, ref)
    assert len(log) == 1
    assert log[0]["prefect"] == {"artefacten": 15, "flow_runs": 15}
    assert bewaring.prefect_open(omg) == []

    # Idempotent: a second run deletes nothing more.
    assert bewaring_flow(return_state=True).name == "0 casussen verwijderd"

    # Our database: no row names the case outside the deletion and disclosure logs; no trace of the youth.
    assert sorted(set(rijen_over(omg, [ref]).get(ref, []))) == ["verwerking", "verwijdering"]
    assert rijen_over(omg, PERSOONSGEGEVENS) == {}
    # Read while the store is still open, without a checkpoint of our own: the deletion emptied the WAL itself
    # (secure_delete cleans the file, not the WAL's page images of the deleting transaction).
    inhoud = ruwe_bytes(db)
    engine.dispose()
    assert [s for s in sporen if s in inhoud] == []
    tekst = inhoud.decode("utf-8", errors="ignore").lower()
    assert [w for w in PERSOONSGEGEVENS if w.lower() in tekst] == []

    # Prefect's database, row by row: no personal data, and the ref only where the API cannot delete it.
    scan = scan_database(prefect_database(), [*PERSOONSGEGEVENS, ref])
    assert {w: p for w, p in scan.treffers.items() if w != ref and p} == {}
    # Left: the bewaring run's own report (Prefect's side of the deletion log), and the events of the deleted
    # runs — Prefect 3.9 has no API to delete events; they age out with PREFECT_SERVER_EVENTS_RETENTION_PERIOD.
    assert {t for t, _ in scan.treffers[ref]} == {"artifact", "events", "event_resources"}, scan.treffers[ref]
    pad = prefect_database()
    sleutels = lees_db(pad, "SELECT DISTINCT key FROM artifact WHERE data LIKE ?", f"%{ref}%")
    assert sleutels == [("bewaring",)]
    assert lees_db(pad, "SELECT count(*) FROM artifact_collection WHERE key = ?", sleutel) == [(0,)]
    assert lees_db(pad, "SELECT count(*) FROM flow_run WHERE name LIKE ?", f"{ref}%") == [(0,)]
    assert lees_db(pad, "SELECT count(*) FROM log WHERE message LIKE ?", f"%{ref}%") == [(0,)]


# -- the CLI ------------------------------------------------------------------------------------------------


def test_cli_bewaring(omg: Omgeving, klok: Klok, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from aanpak.cli.main import app
    from aanpak.config import instellingen

    monkeypatch.setenv("AANPAK_PREFECT", "false")  # the Prefect purge is covered end to end above
    monkeypatch.setenv("COLUMNS", "200")  # rich tables unwrapped
    instellingen.cache_clear()
    ref = gesloten_casus(omg, klok)
    zet_standaard(omg)
    runner = CliRunner()
    try:
        loket = ["--als", LOKET, "--door", "p.loket"]
        r = runner.invoke(app, ["bewaring", "blokkeer", ref, "--reden", "rechtsvordering", *loket])
        assert r.exit_code == 0, r.output
        assert "Bewaarplicht H-" in r.output
        r = runner.invoke(app, ["bewaring", "wis", ref, *loket])
        assert r.exit_code == 1
        assert "Geweigerd" in r.output
        assert "bewaarplicht (rechtsvordering)" in r.output
        r = runner.invoke(app, ["bewaring", "wis", ref, "--als", SCHOOL, "--door", "a.mentor"])
        assert r.exit_code == 1
        assert "alleen het privacyloket" in r.output
        klok.moment = klok.moment.replace(year=klok.moment.year + 3)
        r = runner.invoke(app, ["bewaring", "toon"])
        assert r.exit_code == 0, r.output
        assert "Bewaarplicht" in r.output
        assert "rechtsvordering" in r.output
        assert runner.invoke(app, ["bewaring", "deblokkeer", ref, *loket]).exit_code == 0
        r = runner.invoke(app, ["bewaring", "toon"])
        assert ref in r.output
        r = runner.invoke(app, ["bewaring", "wis", ref, *loket])
        assert r.exit_code == 0, r.output
        assert f"Casus {ref} is verwijderd" in r.output
        assert "Lokaal postvak: 0 bericht(en) over deze casus verwijderd." in r.output  # nothing was delivered
        assert "volgende bewaring-run" in r.output
        r = runner.invoke(app, ["bewaring", "log"])
        assert ref in r.output
        assert "verzoek_betrokkene" in r.output
        for woord in SENTINELS:
            assert woord.lower() not in r.output.lower()
    finally:
        zet_standaard(None)
        instellingen.cache_clear()

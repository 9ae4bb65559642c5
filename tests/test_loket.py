"""The privacyloket finds a youth's cases by BSN (only the loket, only through the keyed hash, always logged),
and an erasure also empties the local mailbox of the case's notifications.

Every test runs on a SQLite file and on PostgreSQL (``omg``). The log rows are scanned for the BSN's digits.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from aanpak.meldingen import kanalen, postvak
from aanpak.meldingen.instellingen import Beleid
from aanpak.omgeving import Omgeving
from aanpak.store.schema import Verwerking, Verwijdering
from aanpak.usecases import bewaring, bezorging, logboek, rechten
from aanpak.usecases.rechten import Zoekdoel
from models.fouten import DomeinFout, InvoerFout
from tests.conftest import Klok
from tests.gegevens import SENTINEL_BSN, als, besluit, signaleer

LOKET = "gemeente.privacyloket"
SCHOOL = "school.zorgcoordinator"
ANDER_BSN = "999990019"  # passes the 11-proef, belongs to nobody here


def zoekregels(omg: Omgeving) -> list[Verwerking]:
    with omg.uow() as s:
        return list(
            s.scalars(select(Verwerking).where(Verwerking.handeling == rechten.ZOEKEN).order_by(Verwerking.volgnummer))
        )


def zonder_bsn(omg: Omgeving, *bsns: str) -> None:
    """No log row holds the searched number, in any field."""
    with omg.uow() as s:
        for v in s.scalars(select(Verwerking)):
            tekst = str(logboek.inhoud(v)) + v.hash + v.vorige_hash
            for bsn in bsns:
                assert bsn not in tekst


def test_search_by_bsn_finds_open_and_closed_cases_and_logs_the_purpose(omg: Omgeving) -> None:
    casus_ref = signaleer(omg).casus_ref
    gevonden = rechten.zoek_op_bsn(omg, SENTINEL_BSN, Zoekdoel.INZAGEVERZOEK, als(LOKET, "p.loket"))
    assert gevonden.casus_refs == [casus_ref]
    assert set(gevonden.model_dump()) == {"casus_refs"}  # refs and nothing else
    assert rechten.zoek_op_bsn(omg, "111 222 333", Zoekdoel.WISVERZOEK, als(LOKET, "p.loket")).casus_refs == [casus_ref]
    [eerste, tweede] = zoekregels(omg)
    assert (eerste.casus_ref, eerste.uitkomst, eerste.doel, eerste.rol) == (
        casus_ref,
        "gevonden",
        "inzageverzoek",
        LOKET,
    )
    assert eerste.grondslagen == ["art15_avg"]
    assert (tweede.doel, tweede.grondslagen) == ("wisverzoek", ["art17_avg"])
    zonder_bsn(omg, SENTINEL_BSN)


def test_a_miss_is_logged_without_the_number(omg: Omgeving) -> None:
    signaleer(omg)
    assert rechten.zoek_op_bsn(omg, ANDER_BSN, Zoekdoel.CORRECTIEVERZOEK, als(LOKET, "p.loket")).casus_refs == []
    [regel] = zoekregels(omg)
    assert (regel.casus_ref, regel.uitkomst, regel.doel) == (None, "niet_gevonden", "correctieverzoek")
    zonder_bsn(omg, ANDER_BSN, SENTINEL_BSN)


def test_only_the_privacyloket_searches_and_the_refusal_is_logged(omg: Omgeving) -> None:
    signaleer(omg)
    with pytest.raises(DomeinFout) as info:
        rechten.zoek_op_bsn(omg, SENTINEL_BSN, Zoekdoel.INZAGEVERZOEK, als(SCHOOL, "a.mentor"))
    assert info.value.veld == "actor_rol"
    assert SENTINEL_BSN not in str(info.value)
    [regel] = zoekregels(omg)
    assert (regel.rol, regel.uitkomst, regel.reden, regel.doel) == (
        SCHOOL,
        "geweigerd",
        "geen_privacyloket",
        "inzageverzoek",
    )
    zonder_bsn(omg, SENTINEL_BSN)


@pytest.mark.parametrize("bsn", ["111222334", "１１１２２２３３３", "12345678", "QQQ"])
def test_an_invalid_bsn_is_refused_without_echoing_it(omg: Omgeving, bsn: str) -> None:
    with pytest.raises(InvoerFout) as info:
        rechten.zoek_op_bsn(omg, bsn, Zoekdoel.INZAGEVERZOEK, als(LOKET, "p.loket"))
    assert info.value.veld == "bsn"
    assert bsn not in str(info.value)
    [regel] = zoekregels(omg)
    assert (regel.uitkomst, regel.reden) == ("geweigerd", "ongeldig_bsn")
    zonder_bsn(omg, bsn)


# -- erasure empties the local mailbox ----------------------------------------------------------------------

BELEID = Beleid(max_pogingen=6, backoff_basis=2.0, backoff_max=60.0, timeout=5.0, parallel=2, batch=50, claim=120.0)


def bestanden_over(ref: str) -> list[Path]:
    """The mailbox files (of every organisation and role) that mention the case."""
    map_ = postvak.map_van({})
    return [p for p in map_.rglob("*.txt") if ref in p.read_text(encoding="utf-8")] if map_.is_dir() else []


def test_erasure_removes_the_cases_files_from_the_local_mailbox(omg: Omgeving, klok: Klok) -> None:
    ref = signaleer(omg).casus_ref
    ander = signaleer(omg, bsn=None, voornamen="Anna", achternaam="Ander", geboortedatum="2015-01-01").casus_ref
    klok.verder(days=1)
    besluit(omg, ref, "interne_weging", "geen_zorg", SCHOOL)
    klok.verder(days=1)
    besluit(omg, ref, "afsluiting", "gesloten", SCHOOL)
    assert bezorging.bezorg(omg, kanalen.ingebouwd(), BELEID).verzonden > 0
    voor = bestanden_over(ref)
    assert voor, "the mailbox holds the case's notifications before the erasure"
    van_ander = bestanden_over(ander)
    assert van_ander

    weg = bewaring.wis_op_verzoek(omg, ref, als(LOKET, "p.loket"))
    assert weg.aantallen[bewaring.POSTVAK] == len(voor)
    assert bestanden_over(ref) == []
    assert all(not p.exists() for p in voor)
    assert bestanden_over(ander) == van_ander  # another case's files stay
    with omg.uow() as s:
        [v] = s.scalars(select(Verwijdering).where(Verwijdering.casus_ref == ref))
        assert v.aantallen[bewaring.POSTVAK] == len(voor)
    assert bewaring.wis_op_verzoek(omg, ref, als(LOKET, "p.loket")).al_verwijderd

"""Signals at the boundary and matching: aanpak/usecases/signaal.py and models/signaal.py.

Every test that takes ``omg`` runs on a SQLite file and on PostgreSQL. The klok starts on Tuesday 1 December
2026, 10:00 Amsterdam time. Refusals are checked by counting rows afterwards: a refused signal writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, func, select

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Basis, Casus, Historie, Jeugdige, Match, Melding, Signaal, StapInstantie, Verzoek
from aanpak.usecases.inzicht import tijdlijn
from aanpak.usecases.signaal import verwerk_signaal
from models.fouten import Conflict, InvoerFout
from models.kalender import AMSTERDAM
from models.signaal import elfproef, lees_signaal, normaliseer_naam
from tests.conftest import Klok
from tests.gegevens import (
    SENTINEL_BSN,
    SENTINEL_ZORG,
    SENTINELS,
    besluit,
    registreer,
    signaal_document,
    signaleer,
)

SCHOOL = "school.zorgcoordinator"
JGZ = "jgz.jeugdverpleegkundige"
ANDER_BSN = "999990019"  # passes the 11-proef, differs from SENTINEL_BSN


def eind(jaar: int, maand: int, dag: int) -> datetime:
    """The last moment of an Amsterdam day: where werkdagen terms end."""
    return datetime(jaar, maand, dag, 23, 59, 59, 999999, tzinfo=AMSTERDAM)


TABELLEN: dict[str, type[Basis]] = {
    "signaal": Signaal,
    "jeugdige": Jeugdige,
    "casus": Casus,
    "historie": Historie,
    "melding": Melding,
    "stap": StapInstantie,
    "match": Match,
    "verzoek": Verzoek,
}


def tel(omg: Omgeving) -> dict[str, int]:
    with omg.uow() as sessie:
        return {naam: sessie.scalar(select(func.count()).select_from(model)) or 0 for naam, model in TABELLEN.items()}


def signaal_rij(omg: Omgeving, ref: str) -> Signaal:
    with omg.uow() as sessie:
        rij = sessie.scalar(select(Signaal).where(Signaal.ref == ref))
        assert rij is not None
        return rij


def casus_rij(omg: Omgeving, ref: str) -> Casus:
    with omg.uow() as sessie:
        rij = sessie.scalar(select(Casus).where(Casus.ref == ref))
        assert rij is not None
        return rij


def meldingen(omg: Omgeving, casus_ref: str, soort: str) -> list[Melding]:
    with omg.uow() as sessie:
        return list(
            sessie.scalars(
                select(Melding)
                .join(Casus, Casus.id == Melding.casus_id)
                .where(Casus.ref == casus_ref, Melding.soort == soort)
                .order_by(Melding.id)
            )
        )


# -- the 11-proef ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bsn", ["111222333", "999990019"])
def test_elfproef_accepts_valid_bsn(bsn: str) -> None:
    assert elfproef(bsn) is True


@pytest.mark.parametrize(
    "bsn",
    [
        pytest.param("111222334", id="checksum-off-by-one"),
        pytest.param("999990018", id="checksum"),
        pytest.param("11122233", id="8-digits"),
        pytest.param("1112223330", id="10-digits"),
        pytest.param("11122233a", id="letter"),
        pytest.param("000000000", id="all-zeros"),
        pytest.param("", id="empty"),
        pytest.param("111 222 333", id="spaces"),
    ],
)
def test_elfproef_refuses_invalid_bsn(bsn: str) -> None:
    assert elfproef(bsn) is False


def test_bsn_with_spaces_and_dots_is_normalised_at_the_boundary() -> None:
    doc = signaal_document(bsn="111.222 333")
    assert lees_signaal(doc).jeugdige.bsn == SENTINEL_BSN


# -- lees_signaal: errors name the field, never the value ------------------------------------------------------


def _zet_bsn(doc: dict[str, Any]) -> None:
    doc["jeugdige"]["bsn"] = "111222334"


def _zonder_melder_rol(doc: dict[str, Any]) -> None:
    del doc["melder"]["rol"]


def _lege_categorieen(doc: dict[str, Any]) -> None:
    doc["categorieen"] = []


def _onbekend_veld(doc: dict[str, Any]) -> None:
    doc["jeugdige"]["roepnaam"] = "Zwaantje Xylofoonstra"


def _foute_datum(doc: dict[str, Any]) -> None:
    doc["jeugdige"]["geboortedatum"] = "2014-02-30"


@pytest.mark.parametrize(
    ("wijzig", "veld", "geheim"),
    [
        pytest.param(_zet_bsn, "jeugdige.bsn", "111222334", id="bsn"),
        pytest.param(_zonder_melder_rol, "melder.rol", None, id="melder-rol-missing"),
        pytest.param(_lege_categorieen, "categorieen", None, id="categorieen-empty"),
        pytest.param(_onbekend_veld, "jeugdige.<onbekend veld>", "Zwaantje Xylofoonstra", id="unknown-field"),
        pytest.param(_foute_datum, "jeugdige.geboortedatum", "2014-02-30", id="bad-date"),
    ],
)
def test_lees_signaal_names_the_field_and_never_echoes_the_value(
    wijzig: Callable[[dict[str, Any]], None], veld: str, geheim: str | None
) -> None:
    doc = signaal_document()
    wijzig(doc)
    with pytest.raises(InvoerFout) as info:
        lees_signaal(doc)
    exc = info.value
    assert [v for v, _ in exc.fouten] == [veld]
    assert exc.veld == veld
    tekst = f"{exc} {exc.melding} {exc.fouten!r} {exc.args!r}"
    for sentinel in [*SENTINELS, *([geheim] if geheim else [])]:
        assert sentinel not in tekst


def test_lees_signaal_reports_every_bad_field_at_once() -> None:
    doc = signaal_document()
    _zet_bsn(doc)
    _zonder_melder_rol(doc)
    _lege_categorieen(doc)
    with pytest.raises(InvoerFout) as info:
        lees_signaal(doc)
    assert sorted(v for v, _ in info.value.fouten) == ["categorieen", "jeugdige.bsn", "melder.rol"]
    assert info.value.veld is None  # several fields: no single one to point at


def test_lees_signaal_unknown_top_level_field_is_refused_without_echo() -> None:
    doc = signaal_document()
    doc["opmerking"] = SENTINEL_ZORG
    with pytest.raises(InvoerFout) as info:
        lees_signaal(doc)
    assert info.value.fouten[0][0] == "<onbekend veld>"  # the key's text is not repeated either
    assert "kwartel-717" not in str(info.value)
    assert "opmerking" not in str(info.value)


def test_lees_signaal_invalid_email_never_echoes_the_address() -> None:
    doc = signaal_document()
    doc["melder"]["email"] = "zwaantje@[IPv6:Xylofoonstra]"
    with pytest.raises(InvoerFout) as info:
        lees_signaal(doc)
    assert info.value.veld == "melder.email"
    assert "Xylofoonstra" not in str(info.value)


# -- registration refuses, and writes nothing -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("wijzig", "veld", "reden"),
    [
        pytest.param({"rol": "huisarts.praktijkondersteuner"}, "melder.rol", "onbekende rol", id="unknown-role"),
        pytest.param({"geboortedatum": "2026-12-02"}, "jeugdige.geboortedatum", "toekomst", id="born-tomorrow"),
        pytest.param({"geboortedatum": "2005-12-01"}, "jeugdige.geboortedatum", "0-20 jaar", id="turns-21-today"),
    ],
)
def test_registration_refuses_and_writes_nothing(omg: Omgeving, wijzig: dict[str, str], veld: str, reden: str) -> None:
    signaleer(omg, bsn=ANDER_BSN, voornamen="Pim", achternaam="Proef")  # the store is not empty
    voor = tel(omg)
    assert voor["signaal"] == 1
    assert voor["casus"] == 1
    doc = signaal_document(
        rol=wijzig.get("rol", SCHOOL),
        geboortedatum=wijzig.get("geboortedatum", "2014-03-17"),
        sleutel="upload-geweigerd-1",
    )
    invoer = lees_signaal(doc)  # valid at the boundary: the definition refuses it
    with pytest.raises(InvoerFout) as info:
        registreer(omg, invoer)
    assert info.value.veld == veld
    assert reden in info.value.melding
    for sentinel in SENTINELS:
        assert sentinel not in str(info.value)
    assert tel(omg) == voor


@pytest.mark.parametrize(
    ("geboortedatum", "groep"),
    [
        pytest.param("2005-12-02", "18+", id="20-until-tomorrow"),
        pytest.param("2026-12-01", "0-3", id="born-today"),
    ],
)
def test_registration_accepts_the_age_bounds(omg: Omgeving, geboortedatum: str, groep: str) -> None:
    geregistreerd = registreer(omg, lees_signaal(signaal_document(geboortedatum=geboortedatum)))
    assert signaal_rij(omg, geregistreerd.signaal_ref).leeftijdsgroep == groep


def test_registration_counts_age_on_the_amsterdam_day(omg: Omgeving, klok: Klok) -> None:
    # 00:30 on 1 December in Amsterdam is still 30 November in UTC: a child born on 1 December is not "future".
    klok.zet(2026, 12, 1, 0, 30)
    assert klok().date().day == 30
    geregistreerd = registreer(omg, lees_signaal(signaal_document(geboortedatum="2026-12-01")))
    assert signaal_rij(omg, geregistreerd.signaal_ref).leeftijdsgroep == "0-3"


# -- first signal opens a case ---------------------------------------------------------------------------------


def test_first_signal_opens_a_case_with_the_melder_as_casusregie(omg: Omgeving, klok: Klok) -> None:
    verwerkt = signaleer(omg)

    assert verwerkt.nieuwe_casus is True
    assert verwerkt.gematcht_op is None
    assert verwerkt.gestarte_stappen == ["interne_weging"]
    lijn = tijdlijn(omg, verwerkt.casus_ref)
    assert lijn.status == "open"
    assert lijn.ave == 1
    assert lijn.casusregie == SCHOOL
    assert lijn.procesregie is None
    assert lijn.werkproces == "venlo_convenant 2022.5"
    assert lijn.geopend_op == klok()
    assert [(s.stap, s.status, s.eigenaar, s.uitkomst) for s in lijn.stappen] == [
        ("signaal_registreren", "afgerond", SCHOOL, "geregistreerd"),
        ("interne_weging", "open", SCHOOL, None),
    ]
    # Tuesday 1 December + 5 werkdagen: Wed, Thu, Fri, Mon, Tue -> end of Tuesday 8 December, local time.
    assert lijn.stappen[1].termijn_einde == eind(2026, 12, 8)
    assert [g.soort for g in lijn.gebeurtenissen] == ["casus_geopend", "stap_afgerond", "stap_gestart"]

    signaal = signaal_rij(omg, verwerkt.signaal_ref)
    assert signaal.verwerkt_op == klok()
    assert signaal.bron_organisatie == "school"
    assert signaal.leeftijdsgroep == "12-15"  # born 17 March 2014, 12 on 1 December 2026
    assert signaal.categorieen == ["ontwikkeling", "verzuim"]
    assert signaal.wijk == "venlo-oost"

    gestart = meldingen(omg, verwerkt.casus_ref, "stap_gestart")
    assert [(m.ontvanger_rol, m.stap_key, m.termijn_einde) for m in gestart] == [
        (SCHOOL, "interne_weging", eind(2026, 12, 8))
    ]
    afgerond = meldingen(omg, verwerkt.casus_ref, "stap_afgerond")
    assert [m.ontvanger_rol for m in afgerond] == [SCHOOL, "school.teamleider"]


def test_acute_signal_starts_regie_and_informeren_at_once(omg: Omgeving) -> None:
    verwerkt = signaleer(omg, acuut=True)

    assert verwerkt.gestarte_stappen == ["ave_regie_bepalen", "informeren_grondslag"]
    assert casus_rij(omg, verwerkt.casus_ref).acuut is True
    lijn = tijdlijn(omg, verwerkt.casus_ref)
    assert [(s.stap, s.status, s.uitkomst, s.termijn_einde) for s in lijn.stappen] == [
        ("signaal_registreren", "afgerond", "acuut", lijn.stappen[0].termijn_einde),
        ("ave_regie_bepalen", "open", None, eind(2026, 12, 8)),
        ("informeren_grondslag", "open", None, eind(2026, 12, 8)),
    ]
    assert "interne_weging" not in {s.stap for s in lijn.stappen}


# -- matching -----------------------------------------------------------------------------------------------------


def test_second_signal_with_same_bsn_joins_the_open_case(omg: Omgeving, klok: Klok) -> None:
    eerste = signaleer(omg)
    klok.zet(2026, 12, 2)
    # Another professional, other spelling of the name: the BSN alone recognises the child.
    tweede = signaleer(omg, rol=JGZ, voornamen="Z.", achternaam="Anders")

    assert tweede.nieuwe_casus is False
    assert tweede.casus_ref == eerste.casus_ref
    assert tweede.gematcht_op == "bsn"
    assert tweede.gestarte_stappen == ["afstemming_na_match"]
    assert tel(omg)["jeugdige"] == 1
    assert tel(omg)["casus"] == 1

    with omg.uow() as sessie:
        match = sessie.scalar(
            select(Match).join(Signaal, Signaal.id == Match.signaal_id).where(Signaal.ref == tweede.signaal_ref)
        )
        assert match is not None
        assert match.op == "bsn"
        assert match.betrokken_rollen == [SCHOOL, JGZ]
        assert match.moment == klok()

    lijn = tijdlijn(omg, eerste.casus_ref)
    assert lijn.casusregie == SCHOOL  # a match does not move regie
    afstemming = [s for s in lijn.stappen if s.stap == "afstemming_na_match"]
    assert [(s.status, s.eigenaar, s.termijn_einde) for s in afstemming] == [("open", SCHOOL, eind(2026, 12, 9))]
    assert "signaal_gematcht" in [g.soort for g in lijn.gebeurtenissen]

    match_meldingen = meldingen(omg, eerste.casus_ref, "match")
    assert [m.ontvanger_rol for m in match_meldingen] == [SCHOOL, JGZ]
    assert all(m.gegevens["melder_rol"] == JGZ for m in match_meldingen)


def test_without_bsn_normalised_name_and_birth_date_match(omg: Omgeving) -> None:
    eerste = signaleer(omg, bsn=None)
    tweede = signaleer(omg, rol=JGZ, bsn=None, voornamen="  zwaäntje", achternaam="XYLOFÓÓN  STRA ")

    assert tweede.nieuwe_casus is False
    assert tweede.casus_ref == eerste.casus_ref
    assert tweede.gematcht_op == "naam_geboortedatum"
    assert tel(omg)["jeugdige"] == 1


def test_without_bsn_a_different_birth_date_does_not_match(omg: Omgeving) -> None:
    eerste = signaleer(omg, bsn=None)
    tweede = signaleer(omg, rol=JGZ, bsn=None, geboortedatum="2014-03-18")

    assert tweede.nieuwe_casus is True
    assert tweede.casus_ref != eerste.casus_ref
    assert tweede.gematcht_op is None
    assert signaal_rij(omg, tweede.signaal_ref).gematcht_op is None
    assert tel(omg)["jeugdige"] == 2


def test_a_different_bsn_with_the_same_name_is_a_different_child(omg: Omgeving) -> None:
    eerste = signaleer(omg)  # this youth has a BSN
    tweede = signaleer(omg, rol=JGZ, bsn=ANDER_BSN)  # same name and birth date, other BSN

    assert tweede.nieuwe_casus is True
    assert tweede.casus_ref != eerste.casus_ref
    assert signaal_rij(omg, tweede.signaal_ref).gematcht_op is None
    assert tel(omg)["jeugdige"] == 2
    assert tel(omg)["match"] == 0


def test_a_bsn_learned_later_is_kept_for_future_matches(omg: Omgeving) -> None:
    eerste = signaleer(omg, bsn=None)
    tweede = signaleer(omg, rol=JGZ)  # same name and birth date, now with a BSN: it is the same child
    derde = signaleer(omg, rol="jgz.jeugdarts", voornamen="Z.", achternaam="Anders")  # BSN only

    assert tweede.gematcht_op == "naam_geboortedatum"
    assert derde.gematcht_op == "bsn"
    assert {eerste.casus_ref, tweede.casus_ref, derde.casus_ref} == {eerste.casus_ref}
    assert tel(omg)["jeugdige"] == 1


def test_signal_after_the_case_closed_opens_a_new_case(omg: Omgeving, klok: Klok) -> None:
    eerste = signaleer(omg)
    besluit(omg, eerste.casus_ref, "interne_weging", "geen_zorg", SCHOOL)
    gesloten = besluit(omg, eerste.casus_ref, "afsluiting", "gesloten", SCHOOL)
    assert gesloten.casus_gesloten is True

    klok.zet(2026, 12, 3)
    tweede = signaleer(omg)

    assert tweede.nieuwe_casus is True
    assert tweede.casus_ref != eerste.casus_ref
    assert tweede.gestarte_stappen == ["interne_weging"]
    assert signaal_rij(omg, tweede.signaal_ref).gematcht_op == "bsn"  # the same child, recognised
    assert tijdlijn(omg, eerste.casus_ref).status == "gesloten"
    assert tijdlijn(omg, tweede.casus_ref).status == "open"
    oud, nieuw = casus_rij(omg, eerste.casus_ref), casus_rij(omg, tweede.casus_ref)
    assert oud.jeugdige_id == nieuw.jeugdige_id
    assert tel(omg)["match"] == 0


# -- idempotency ----------------------------------------------------------------------------------------------


def test_same_idempotency_key_registers_once(omg: Omgeving) -> None:
    invoer = lees_signaal(signaal_document(sleutel="upload-2026-0001"))
    eerste = registreer(omg, invoer)
    tweede = registreer(omg, invoer)

    assert eerste.herhaald is False
    assert tweede.herhaald is True
    assert tweede.signaal_ref == eerste.signaal_ref
    assert tel(omg)["signaal"] == 1
    assert tel(omg)["jeugdige"] == 1
    assert tel(omg)["verzoek"] == 1


def test_different_idempotency_keys_register_twice(omg: Omgeving) -> None:
    eerste = registreer(omg, lees_signaal(signaal_document(sleutel="upload-2026-0001")))
    tweede = registreer(omg, lees_signaal(signaal_document(sleutel="upload-2026-0002")))
    assert tweede.signaal_ref != eerste.signaal_ref
    assert tweede.herhaald is False
    assert tel(omg)["signaal"] == 2


def test_verwerk_signaal_twice_changes_nothing_the_second_time(omg: Omgeving, klok: Klok) -> None:
    ref = registreer(omg, lees_signaal(signaal_document())).signaal_ref
    verwerkt_op = klok()
    eerste = verwerk_signaal(omg, ref)
    na_eerste = tel(omg)
    klok.verder(hours=1)  # a re-run later must not re-stamp anything either
    tweede = verwerk_signaal(omg, ref)

    assert tweede.casus_ref == eerste.casus_ref
    assert tweede.nieuwe_casus is True
    assert tweede.gestarte_stappen == []
    assert eerste.gestarte_stappen == ["interne_weging"]
    assert tel(omg) == na_eerste
    assert na_eerste["historie"] == 3
    assert na_eerste["stap"] == 2
    assert signaal_rij(omg, ref).verwerkt_op == verwerkt_op


# -- personal data only encrypted -------------------------------------------------------------------------------


def _alle_waarden(engine: Engine) -> Iterator[tuple[str, str, bytes]]:
    """Every non-null value of every column of every table actually in the database, as bytes."""
    meta = MetaData()
    meta.reflect(bind=engine)
    with engine.connect() as conn:
        for tabel in meta.sorted_tables:
            namen = list(tabel.columns.keys())
            for rij in conn.execute(select(tabel)):
                for kolom, waarde in zip(namen, rij, strict=True):
                    if waarde is None:
                        continue
                    if isinstance(waarde, bytes | bytearray | memoryview):
                        yield tabel.name, kolom, bytes(waarde)
                    else:
                        yield tabel.name, kolom, str(waarde).encode()


def test_personal_data_is_stored_only_encrypted(omg: Omgeving) -> None:
    verwerkt = signaleer(omg, sleutel="upload-sentinel-1")

    waarden = list(_alle_waarden(omg.engine))
    gelezen = {(t, k) for t, k, _ in waarden}
    # The scan really reads the encrypted and the text columns (a scan of nothing proves nothing).
    assert {
        ("jeugdige", "identiteit_versleuteld"),
        ("signaal", "zorg_versleuteld"),
        ("signaal", "melder_versleuteld"),
        ("historie", "gegevens"),
        ("melding", "gegevens"),
        ("verzoek", "resultaat"),
        ("werkproces_versie", "tekst"),
    } <= gelezen
    assert any(verwerkt.casus_ref.encode() in w for _, _, w in waarden)
    for tabel, kolom, waarde in waarden:
        for sentinel in SENTINELS:
            assert sentinel.encode() not in waarde, f"{sentinel!r} in {tabel}.{kolom}"

    if omg.engine.dialect.name == "sqlite":
        database = omg.engine.url.database
        assert database is not None
        bestanden = [Path(database), Path(database + "-wal")]
        ruw = b"".join(p.read_bytes() for p in bestanden if p.exists())
        assert b"venlo_convenant" in ruw  # the raw bytes hold the store's plain text
        for sentinel in SENTINELS:
            assert sentinel.encode() not in ruw, f"{sentinel!r} in the SQLite files"

    # ... and the data is there, readable with the key.
    with omg.uow() as sessie:
        jeugdige = sessie.scalars(select(Jeugdige)).one()
        signaal = sessie.scalars(select(Signaal)).one()
    identiteit = omg.sleutels.ontsleutel(jeugdige.identiteit_versleuteld, "jeugdige.identiteit").decode()
    assert "Xylofoonstra" in identiteit
    assert SENTINEL_BSN in identiteit
    assert omg.sleutels.ontsleutel(signaal.zorg_versleuteld, "signaal.zorg").decode() == SENTINEL_ZORG


def test_same_idempotency_key_with_a_different_document_is_refused(omg: Omgeving) -> None:
    registreer(omg, lees_signaal(signaal_document(sleutel="upload-key-0001")))
    with pytest.raises(Conflict) as fout:
        registreer(omg, lees_signaal(signaal_document(sleutel="upload-key-0001", acuut=True)))
    assert fout.value.veld == "idempotentie_sleutel"


@pytest.mark.parametrize(
    ("naam", "zelfde_als"),
    [("Jørgen", "Jorgen"), ("Łukasz", "Lukasz"), ("Strauß", "Strauss"), ("Ærø", "Aero"), ("Zoë", "ZOE")],
)
def test_letters_without_ascii_decomposition_still_match(naam: str, zelfde_als: str) -> None:
    assert normaliseer_naam(naam) == normaliseer_naam(zelfde_als)

"""The privacy protocol in the case store: grounds, need-to-know inzage, the hash-chained log, rights.

Every test runs on a SQLite file and on PostgreSQL (``omg``). The personal data are the sentinels of
``tests.gegevens``: the youth is 12 on the test day (born 17-03-2014, clock on 1 December 2026), so consent
needs the parents and the youth.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Correctie, Historie, Verwerking
from aanpak.usecases import bewaring, grondslag, inzage, logboek, rechten
from aanpak.usecases.grondslag import GrondslagIn
from models.actor import Actor
from models.fouten import Conflict, DomeinFout, InvoerFout, NietGevonden
from models.privacy import Beperkingsreden, Grondslagsoort, Toestemminggever, vereiste_toestemming
from tests.conftest import Klok
from tests.gegevens import SENTINEL_BSN, SENTINEL_ZORG, als, registreer, signaleer

SCHOOL = "school.zorgcoordinator"
JGZ = "jgz.jeugdverpleegkundige"
POLITIE = "politie.wijkagent"
LOKET = "gemeente.privacyloket"
JGZ_ZORG = "JGZ-zorg: groeicurve-kwartel buigt af"


def casus_met_twee_signalen(omg: Omgeving) -> str:
    """A school signal (ontwikkeling, verzuim) and a matching JGZ signal (gezondheid) about the same youth."""
    from aanpak.usecases.signaal import verwerk_signaal
    from models.signaal import lees_signaal
    from tests.gegevens import signaal_document

    casus_ref = signaleer(omg).casus_ref
    doc = signaal_document(JGZ, categorieen=["gezondheid"])
    doc["zorg"] = JGZ_ZORG
    doc["melder"] = {"rol": JGZ, "naam": "J. Verpleegkundige", "email": "jgz@ggd.example"}
    assert verwerk_signaal(omg, registreer(omg, lees_signaal(doc)).signaal_ref).casus_ref == casus_ref
    return casus_ref


def toestemming(casus_ref: str, door: list[Toestemminggever], **extra: Any) -> GrondslagIn:
    velden: dict[str, Any] = {
        "casus_ref": casus_ref,
        "soort": Grondslagsoort.TOESTEMMING,
        "gegeven_door": door,
        "doel": "casusoverleg",
        **extra,
    }
    return GrondslagIn(**velden)


def leg_vast(omg: Omgeving, invoer: GrondslagIn, actor: Actor | None = None) -> grondslag.GrondslagVastgelegd:
    """Record a ground, by the school's coordinator unless another actor is named."""
    return grondslag.leg_vast(omg, invoer, actor or als(SCHOOL, "a.mentor"))


def log_regels(omg: Omgeving) -> list[Verwerking]:
    with omg.uow() as s:
        return list(s.scalars(select(Verwerking).order_by(Verwerking.volgnummer)))


# -- consent by age and grounds -----------------------------------------------------------------------------


def test_who_consents_depends_on_age() -> None:
    assert vereiste_toestemming(11) == {Toestemminggever.OUDERS}
    assert vereiste_toestemming(12) == {Toestemminggever.OUDERS, Toestemminggever.JEUGDIGE}
    assert vereiste_toestemming(15) == {Toestemminggever.OUDERS, Toestemminggever.JEUGDIGE}
    assert vereiste_toestemming(16) == {Toestemminggever.JEUGDIGE}


def test_consent_of_the_parents_alone_is_refused_for_a_twelve_year_old(omg: Omgeving) -> None:
    casus_ref = signaleer(omg).casus_ref
    with pytest.raises(InvoerFout) as info:
        leg_vast(omg, toestemming(casus_ref, [Toestemminggever.OUDERS]))
    assert info.value.fouten == [
        ("gegeven_door", "van 12 tot en met 15 jaar geven de ouders én de jeugdige toestemming")
    ]
    assert grondslag.overzicht(omg, casus_ref) == []
    assert log_regels(omg) == []  # nothing half-written

    vastgelegd = leg_vast(omg, toestemming(casus_ref, [Toestemminggever.OUDERS, Toestemminggever.JEUGDIGE]))
    [g] = grondslag.overzicht(omg, casus_ref)
    assert (g.ref, g.soort, g.gegeven_door, g.van_kracht) == (
        vastgelegd.grondslag_ref,
        "toestemming",
        ["jeugdige", "ouders"],
        True,
    )
    [regel] = log_regels(omg)
    assert (regel.handeling, regel.grondslagen, regel.uitkomst) == ("grondslag", [g.ref], "vastgelegd")


def test_ground_input_errors_name_the_field(omg: Omgeving, klok: Klok) -> None:
    casus_ref = signaleer(omg).casus_ref
    invoer = GrondslagIn(
        casus_ref=casus_ref,
        soort=Grondslagsoort.WETTELIJKE_TAAK,
        gegeven_door=[Toestemminggever.OUDERS],
        ontvangers=["wijkteam", "bakkerij.baas"],
        doel="casusoverleg",
        geldig_tot=klok.moment.date(),
    )
    with pytest.raises(InvoerFout) as info:
        leg_vast(omg, invoer)
    assert [veld for veld, _ in info.value.fouten] == ["ontvangers[1]", "gegeven_door", "geldig_tot"]
    with pytest.raises(DomeinFout) as niet_betrokken:
        grondslag.leg_vast(
            omg, GrondslagIn(casus_ref=casus_ref, soort="vitaal_belang", doel="veiligheid"), als(POLITIE, "w.agent")
        )
    assert niet_betrokken.value.veld == "actor_rol"
    assert grondslag.overzicht(omg, casus_ref) == []


def test_same_idempotency_key_records_one_ground(omg: Omgeving) -> None:
    casus_ref = signaleer(omg).casus_ref
    invoer = toestemming(
        casus_ref, [Toestemminggever.OUDERS, Toestemminggever.JEUGDIGE], idempotentie_sleutel="toestemming-0001"
    )
    eerste = leg_vast(omg, invoer)
    tweede = leg_vast(omg, invoer)
    assert (tweede.grondslag_ref, tweede.herhaald) == (eerste.grondslag_ref, True)
    assert len(grondslag.overzicht(omg, casus_ref)) == 1
    assert len(log_regels(omg)) == 1


# -- need-to-know inzage -------------------------------------------------------------------------------------


def _titels(resultaat: inzage.Inzage) -> dict[str, str]:
    getoond = {o.titel.split(" (")[0]: "getoond" for o in resultaat.getoond}
    return getoond | {a.titel.split(" (")[0]: a.reden for a in resultaat.achtergehouden}


def test_inzien_without_a_ground_withholds_and_logs(omg: Omgeving) -> None:
    casus_ref = casus_met_twee_signalen(omg)
    resultaat = inzage.casus_inzien(omg, casus_ref, als(JGZ, "j.verpleegkundige"), "casusoverleg")
    # JGZ's own signal is its own input; the school's (verzuim: school data) is not JGZ's to see at all.
    eigen = next(o for o in resultaat.getoond if o.titel.startswith("Zorg uit signaal") and "(gezondheid)" in o.titel)
    assert eigen.velden == {"zorg": JGZ_ZORG}
    assert eigen.grondslagen == ["eigen_inbreng"]
    school = next(a for a in resultaat.achtergehouden if a.titel.startswith("Zorg uit signaal"))
    # Outside need-to-know not even the kind of data is named to the role (the log keeps it for the auditor).
    assert (school.reden, school.categorieen, "verzuim" in school.titel) == ("niet_nodig", [], False)
    assert _titels(resultaat)["Identiteit jeugdige"] == "geen_grondslag"
    assert SENTINEL_ZORG not in str(resultaat.model_dump())
    [regel] = log_regels(omg)
    assert (regel.handeling, regel.rol, regel.organisatie, regel.uitkomst) == (
        "inzien",
        JGZ,
        "jgz-limburg-noord",
        "gedeeltelijk",
    )
    assert regel.categorieen == ["contact", "gezondheid", "zorg"]
    assert set(regel.geweigerd) == {"identiteit", "school"}
    assert regel.volgnummer == resultaat.logregel


def test_consent_opens_what_need_to_know_allows_and_withdrawal_closes_it(omg: Omgeving, klok: Klok) -> None:
    casus_ref = casus_met_twee_signalen(omg)
    g = leg_vast(omg, toestemming(casus_ref, [Toestemminggever.OUDERS, Toestemminggever.JEUGDIGE], ontvangers=["jgz"]))
    resultaat = inzage.casus_inzien(omg, casus_ref, als(JGZ, "j.verpleegkundige"), "casusoverleg")
    ident = next(o for o in resultaat.getoond if o.titel == "Identiteit jeugdige")
    assert ident.velden["bsn"] == SENTINEL_BSN
    assert ident.grondslagen == [g.grondslag_ref]
    # The ground never widens need-to-know: the school's verzuim concern stays withheld from JGZ.
    assert any(a.reden == "niet_nodig" for a in resultaat.achtergehouden)

    # The consent names JGZ only: the school sees its own signal again, but not the identity, nor JGZ's health data.
    school = inzage.casus_inzien(omg, casus_ref, als(SCHOOL, "a.mentor"), "casusoverleg")
    eigen = [o for o in school.getoond if o.titel.startswith("Zorg uit signaal")]
    assert [o.velden["zorg"] for o in eigen] == [SENTINEL_ZORG]
    assert _titels(school)["Identiteit jeugdige"] == "geen_grondslag"
    assert [a.reden for a in school.achtergehouden if a.titel.startswith("Zorg uit signaal")] == ["niet_nodig"]

    klok.verder(hours=1)
    grondslag.trek_in(omg, g.grondslag_ref, als(SCHOOL, "a.mentor"))
    assert grondslag.trek_in(omg, g.grondslag_ref, als(SCHOOL, "a.mentor")).herhaald
    klok.verder(minutes=1)
    na = inzage.casus_inzien(omg, casus_ref, als(JGZ, "j.verpleegkundige"), "casusoverleg")
    assert _titels(na)["Identiteit jeugdige"] == "geen_grondslag"
    assert [r.handeling for r in log_regels(omg)] == [
        "grondslag",
        "inzien",
        "inzien",
        "grondslag_ingetrokken",
        "inzien",
    ]


def test_a_role_that_is_not_involved_is_refused_and_the_refusal_logged(omg: Omgeving) -> None:
    casus_ref = casus_met_twee_signalen(omg)
    with pytest.raises(NietGevonden) as onbekend:  # refused as if the case did not exist
        inzage.casus_inzien(omg, casus_ref, als(POLITIE, "w.agent"), "veiligheid")
    assert (onbekend.value.veld, str(onbekend.value)) == ("casus", f"casus: casus '{casus_ref}' bestaat niet")
    [regel] = log_regels(omg)
    assert (regel.uitkomst, regel.reden, regel.rol) == ("geweigerd", "niet_betrokken", POLITIE)
    with pytest.raises(InvoerFout) as info:
        inzage.casus_inzien(omg, casus_ref, als(POLITIE, "w.agent"), "Wil even kijken")
    assert info.value.veld == "doel"


# -- the disclosure log's hash chain -------------------------------------------------------------------------


def _vul_logboek(omg: Omgeving, klok: Klok, n: int) -> None:
    with omg.uow() as s:
        for i in range(n):
            klok.verder(days=1)
            logboek.schrijf(
                s, moment=klok(), casus_ref="C-TEST0001", handeling="inzien", actor=f"a{i}", rol=SCHOOL,
                organisatie="school", doel="casusoverleg", uitkomst="verstrekt", categorieen=["identiteit"],
            )  # fmt: skip


def test_hash_chain_detects_changed_deleted_and_truncated_entries(omg: Omgeving, klok: Klok) -> None:
    _vul_logboek(omg, klok, 6)
    with omg.uow() as s:
        goed = logboek.verifieer(s, per=4)  # more than one page
    assert goed.in_orde
    assert goed.aantal == 6
    assert (goed.eerste, goed.laatste) == (1, 6)

    with omg.engine.begin() as conn:
        conn.execute(update(Verwerking).where(Verwerking.volgnummer == 3).values(actor="iemand.anders"))
    with omg.uow() as s:
        assert [(b.volgnummer, b.probleem) for b in logboek.verifieer(s).breuken] == [
            (3, "inhoud gewijzigd (hash klopt niet)")
        ]
        s.execute(update(Verwerking).where(Verwerking.volgnummer == 3).values(actor="a2"))
        assert logboek.verifieer(s).in_orde  # restored exactly: the chain is whole again

    with omg.engine.begin() as conn:
        conn.execute(text("DELETE FROM verwerking WHERE volgnummer = 4"))
    with omg.uow() as s:
        assert [b.volgnummer for b in logboek.verifieer(s).breuken] == [5, 5]  # gap, and 5 no longer fits

    with omg.engine.begin() as conn:
        conn.execute(text("DELETE FROM verwerking WHERE volgnummer >= 4"))
    with omg.uow() as s:
        [breuk] = logboek.verifieer(s).breuken  # the newest entries are gone: only the head knows
        assert breuk.volgnummer == 6
        assert "kop" in breuk.probleem


def test_pruning_keeps_the_chain_verifiable(omg: Omgeving, klok: Klok) -> None:
    start = klok()
    _vul_logboek(omg, klok, 5)
    with omg.uow() as s:
        assert logboek.snoei(s, start) == 0
        from datetime import timedelta

        assert logboek.snoei(s, start + timedelta(days=3)) == 2  # entries of day 1 and 2
        assert logboek.snoei(s, start + timedelta(days=3)) == 0  # idempotent
    with omg.uow() as s:
        v = logboek.verifieer(s)
        assert v.in_orde
        assert (v.eerste, v.laatste, v.aantal) == (3, 5, 3)
    _vul_logboek(omg, klok, 1)
    with omg.uow() as s:
        assert logboek.verifieer(s).in_orde
        assert logboek.snoei(s, klok() + timedelta(days=1)) == 4  # everything
    with omg.uow() as s:
        v = logboek.verifieer(s)
        assert v.in_orde
        assert v.aantal == 0
    _vul_logboek(omg, klok, 1)
    with omg.uow() as s:
        v = logboek.verifieer(s)
        assert v.in_orde
        assert (v.eerste, v.aantal) == (7, 1)


@pytest.mark.postgres
def test_concurrent_writers_never_fork_the_chain(pg_engine: Any, klok: Klok) -> None:
    from tests.conftest import _leeg, maak_omgeving

    _leeg(pg_engine)
    omg = maak_omgeving(pg_engine, klok)
    fouten: list[BaseException] = []

    def schrijver(n: int) -> None:
        try:
            for i in range(15):
                with omg.uow() as s:
                    logboek.schrijf(s, moment=klok(), casus_ref=None, handeling="inzien", actor=f"w{n}.{i}",
                                    rol=SCHOOL, organisatie="school", doel="test", uitkomst="verstrekt")  # fmt: skip
        except BaseException as exc:  # pragma: no cover - reported below
            fouten.append(exc)

    draden = [threading.Thread(target=schrijver, args=(n,)) for n in range(4)]
    for d in draden:
        d.start()
    for d in draden:
        d.join()
    assert fouten == []
    with omg.uow() as s:
        v = logboek.verifieer(s)
        assert v.in_orde
        assert v.aantal == 60


# -- rights of the data subject -------------------------------------------------------------------------------


def test_only_the_privacyloket_answers_requests(omg: Omgeving) -> None:
    casus_ref = signaleer(omg).casus_ref
    with pytest.raises(DomeinFout) as info:
        rechten.exporteer(omg, casus_ref, als(SCHOOL, "a.mentor"))
    assert info.value.veld == "actor_rol"
    assert log_regels(omg) == []


def test_rights_and_retention_requests_bind_the_loket_to_its_organisation(omg: Omgeving) -> None:
    """The use cases take an Actor: the loket role at an organisation not of its type is refused naming
    ``actor_organisatie``; at its own organisation the disclosure log names that concrete organisation."""
    casus_ref = signaleer(omg).casus_ref
    elders = Actor(persoon="p.loket", organisatie="school-de-wissel", rol=LOKET)
    for verzoek in (
        lambda: rechten.exporteer(omg, casus_ref, elders),
        lambda: rechten.beperk(omg, casus_ref, Beperkingsreden.JUISTHEID_BETWIST, elders),
        lambda: rechten.corrigeer(omg, casus_ref, {"achternaam": "Anders"}, elders),
        lambda: rechten.hef_beperking_op(omg, casus_ref, elders),
        lambda: bewaring.zet_bewaarplicht(omg, casus_ref, bewaring.Bewaarplichtreden.KLACHT_OF_BEZWAAR, elders),
        lambda: bewaring.hef_bewaarplicht_op(omg, casus_ref, elders),
        lambda: bewaring.wis_op_verzoek(omg, casus_ref, elders),
    ):
        with pytest.raises(InvoerFout) as info:
            verzoek()
        assert info.value.veld == "actor_organisatie"
    assert log_regels(omg) == []
    rechten.beperk(omg, casus_ref, Beperkingsreden.JUISTHEID_BETWIST, als(LOKET, "p.loket"))
    bewaring.zet_bewaarplicht(omg, casus_ref, bewaring.Bewaarplichtreden.KLACHT_OF_BEZWAAR, als(LOKET, "p.loket"))
    with omg.uow() as s:
        assert {v.organisatie for v in s.scalars(select(Verwerking))} == {als(LOKET).organisatie}
        (beperkt,) = s.scalars(select(Historie).where(Historie.soort == "verwerking_beperkt"))
        assert (beperkt.rol, beperkt.organisatie, beperkt.actor) == (LOKET, "gemeente-venlo", "p.loket")


def test_export_holds_everything_and_the_disclosure_log(omg: Omgeving) -> None:
    casus_ref = casus_met_twee_signalen(omg)
    with pytest.raises(NietGevonden):  # a refusal is part of the record
        inzage.casus_inzien(omg, casus_ref, als(POLITIE, "w.agent"), "veiligheid")
    bewaring.zet_bewaarplicht(omg, casus_ref, bewaring.Bewaarplichtreden.KLACHT_OF_BEZWAAR, als(LOKET, "p.loket"))
    dossier = rechten.exporteer(omg, casus_ref, als(LOKET, "p.loket"))
    assert dossier.jeugdige["bsn"] == SENTINEL_BSN
    [casus] = dossier.casussen
    assert {s["zorg"] for s in casus["signalen"]} == {SENTINEL_ZORG, JGZ_ZORG}
    assert [(v["handeling"], v["rol"], v["uitkomst"]) for v in dossier.verwerkingen] == [
        ("inzien", POLITIE, "geweigerd"),
        ("bewaarplicht", LOKET, "vastgelegd"),
        ("export", LOKET, "verstrekt"),
    ]
    assert [b["reden"] for b in casus["bewaarplichten"]] == ["klacht_of_bezwaar"]
    assert [s["melder"] for s in casus["signalen"]] == [{"rol": SCHOOL}, {"rol": JGZ}]  # art. 15(4): no person
    assert "J. Verpleegkundige" not in dossier.model_dump_json()
    assert "melder@school.example" not in dossier.model_dump_json()
    tekst = dossier.als_tekst()
    assert SENTINEL_ZORG in tekst
    assert "Xylofoonstra" in tekst
    assert "politie.wijkagent" in tekst


def test_correction_keeps_the_previous_version_and_matching_follows(omg: Omgeving) -> None:
    casus_ref = signaleer(omg).casus_ref
    with pytest.raises(InvoerFout) as fout:
        rechten.corrigeer(omg, casus_ref, {"bsn": "123456789"}, als(LOKET, "p.loket"))
    assert fout.value.fouten[0][0] == "bsn"
    with pytest.raises(InvoerFout):
        rechten.corrigeer(omg, casus_ref, {"lievelingskleur": "blauw"}, als(LOKET, "p.loket"))

    gecorrigeerd = rechten.corrigeer(omg, casus_ref, {"achternaam": "Xylofoonstra-Bos"}, als(LOKET, "p.loket"))
    assert gecorrigeerd.velden == ["achternaam"]
    assert rechten.corrigeer(omg, casus_ref, {"achternaam": "Xylofoonstra-Bos"}, als(LOKET, "p.loket")).herhaald
    dossier = rechten.exporteer(omg, casus_ref, als(LOKET, "p.loket"))
    assert dossier.jeugdige["achternaam"] == "Xylofoonstra-Bos"
    assert dossier.correcties[0]["vorige"]["achternaam"] == "Xylofoonstra"
    with omg.uow() as s:
        assert s.scalar(select(func.count()).select_from(Correctie)) == 1
        assert s.scalar(select(Historie.soort).where(Historie.soort == "gegevens_gecorrigeerd")) is not None
    # Without a BSN, a new signal under the corrected name joins the same case.
    assert signaleer(omg, bsn=None, achternaam="Xylofoonstra-Bos", rol=JGZ).casus_ref == casus_ref


def test_correcting_to_another_youths_bsn_is_a_conflict(omg: Omgeving) -> None:
    casus_ref = signaleer(omg).casus_ref
    signaleer(omg, bsn="999990019", voornamen="Pim", achternaam="Proef")
    with pytest.raises(Conflict):
        rechten.corrigeer(omg, casus_ref, {"bsn": "999990019"}, als(LOKET, "p.loket"))


def test_restriction_stops_inzage_until_lifted(omg: Omgeving) -> None:
    casus_ref = casus_met_twee_signalen(omg)
    rechten.beperk(omg, casus_ref, Beperkingsreden.JUISTHEID_BETWIST, als(LOKET, "p.loket"))
    assert rechten.beperk(omg, casus_ref, Beperkingsreden.JUISTHEID_BETWIST, als(LOKET, "p.loket")).herhaald
    assert inzage.casus_inzien(omg, casus_ref, als(JGZ, "j.v"), "casusoverleg").geweigerd == "verwerking_beperkt"
    rechten.hef_beperking_op(omg, casus_ref, als(LOKET, "p.loket"))
    assert inzage.casus_inzien(omg, casus_ref, als(JGZ, "j.v"), "casusoverleg").geweigerd is None
    with omg.uow() as s:
        assert logboek.verifieer(s).in_orde


def test_own_input_is_the_roles_own_not_its_organisations(omg: Omgeving) -> None:
    """The JGZ team lead (need-to-know: identity, contact, plan) does not see the nurse's health concern."""
    casus_ref = casus_met_twee_signalen(omg)
    leg_vast(omg, toestemming(casus_ref, [Toestemminggever.OUDERS, Toestemminggever.JEUGDIGE]))
    from aanpak.store.schema import Casus, Melding

    with omg.uow() as s:  # make the team lead involved, as an escalation would
        casus = s.scalars(select(Casus)).one()
        s.add(Melding(sleutel="test:teamleider", casus_id=casus.id, soort="escalatie",
                      ontvanger_rol="jgz.teamleider", ontvanger_organisatie="jgz-limburg-noord",
                      gegevens={}, status="verzonden", pogingen=1,
                      volgende_poging=casus.geopend_op, aangemaakt_op=casus.geopend_op))  # fmt: skip
    with pytest.raises(DomeinFout) as info:  # told about the case, but not carrying it: records no ground
        grondslag.leg_vast(
            omg,
            GrondslagIn(casus_ref=casus_ref, soort="vitaal_belang", doel="casusoverleg"),
            als("jgz.teamleider", "t.leider"),
        )
    assert info.value.veld == "actor_rol"
    lead = inzage.casus_inzien(omg, casus_ref, als("jgz.teamleider", "t.leider"), "casusoverleg")
    assert lead.geweigerd is None
    assert JGZ_ZORG not in str(lead.model_dump())
    assert [a.reden for a in lead.achtergehouden] == ["niet_nodig", "niet_nodig"]  # both concerns
    assert {o.titel for o in lead.getoond} >= {"Identiteit jeugdige"}


def test_a_ground_serves_only_its_own_purpose(omg: Omgeving) -> None:
    casus_ref = casus_met_twee_signalen(omg)
    g = leg_vast(omg, toestemming(casus_ref, [Toestemminggever.OUDERS, Toestemminggever.JEUGDIGE]))
    ander_doel = inzage.casus_inzien(omg, casus_ref, als(JGZ, "j.v"), "zorgverlening")
    assert _titels(ander_doel)["Identiteit jeugdige"] == "geen_grondslag"
    eigen_doel = inzage.casus_inzien(omg, casus_ref, als(JGZ, "j.v"), "casusoverleg")
    assert next(o for o in eigen_doel.getoond if o.titel == "Identiteit jeugdige").grondslagen == [g.grondslag_ref]
    regels = log_regels(omg)
    assert [r.grondslagen for r in regels if r.handeling == "inzien"] == [
        ["eigen_inbreng"],
        sorted([g.grondslag_ref, "eigen_inbreng"]),
    ]


def test_parents_consent_lapses_when_the_youth_turns_twelve(omg: Omgeving, klok: Klok) -> None:
    """Given by the parents alone at 11, the consent stops counting at 12, when the youth must consent too."""
    klok.zet(2025, 3, 10)  # the sentinel youth (born 17-03-2014) is 10
    casus_ref = casus_met_twee_signalen(omg)
    leg_vast(omg, toestemming(casus_ref, [Toestemminggever.OUDERS]))
    klok.zet(2026, 3, 16)  # still 11
    assert (
        _titels(inzage.casus_inzien(omg, casus_ref, als(JGZ, "j.v"), "casusoverleg"))["Identiteit jeugdige"]
        == "getoond"
    )
    assert [g.van_kracht for g in grondslag.overzicht(omg, casus_ref)] == [True]
    klok.zet(2026, 3, 17)  # 12 today
    assert (
        _titels(inzage.casus_inzien(omg, casus_ref, als(JGZ, "j.v"), "casusoverleg"))["Identiteit jeugdige"]
        == "geen_grondslag"
    )
    assert [g.van_kracht for g in grondslag.overzicht(omg, casus_ref)] == [False]

"""Decisions, conflicts, warm handoffs and terms: aanpak/usecases/{besluit,overdracht,termijnen,bewaking,inzicht}.py.

Every test that takes ``omg`` runs on a SQLite file and on PostgreSQL. The klok starts on Tuesday 1 December
2026, 10:00 Amsterdam time; due dates are the end of an Amsterdam day. Refusals are checked by counting rows.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml
from sqlalchemy import Engine, event, func, select

from aanpak.config import STANDAARD_WERKPROCES
from aanpak.crypto import Sleutelring
from aanpak.omgeving import Omgeving
from aanpak.store.schema import Basis, Besluit, Casus, Historie, Melding, Overdracht, StapInstantie, Verzoek
from aanpak.usecases.besluit import BesluitGenomen, BesluitIn, BesluitToegepast, neem_besluit, pas_besluit_toe
from aanpak.usecases.bewaking import Bewakingssignaal, bewaak
from aanpak.usecases.inzicht import lopende_stappen, open_casussen, postvak, tijdlijn
from aanpak.usecases.overdracht import accepteer_overdracht
from aanpak.usecases.termijnen import hervatten, opschorten, verlengen
from models.actor import Actor
from models.casus import Opschortreden, Verlengreden
from models.fouten import Conflict, DefinitieFout, DomeinFout, InvoerFout
from models.kalender import AMSTERDAM
from models.signaal import lees_signaal
from tests import wachttijden
from tests.conftest import Klok, maak_omgeving
from tests.gegevens import als, besluit, registreer, signaal_document, signaleer

SCHOOL = "school.zorgcoordinator"
JGZ = "jgz.jeugdverpleegkundige"
WIJKTEAM = "wijkteam.casusregisseur"
PROCES = "gemeente.procesregisseur"
VEILIG_THUIS = "veilig_thuis.medewerker"
ANDER_BSN = "999990019"


def eind(jaar: int, maand: int, dag: int) -> datetime:
    """The last moment of an Amsterdam day: where werkdagen terms end."""
    return datetime(jaar, maand, dag, 23, 59, 59, 999999, tzinfo=AMSTERDAM)


def invoer(
    casus_ref: str,
    stap: str,
    uitkomst: str,
    rol: str,
    actor: str = "test.gebruiker",
    organisatie: str | None = None,
    **kwargs: Any,
) -> tuple[BesluitIn, Actor]:
    """A decision and who takes it (a role at its default organisation unless one is named)."""
    return BesluitIn(casus_ref=casus_ref, stap=stap, uitkomst=uitkomst, **kwargs), als(rol, actor, organisatie)


def neem(omg: Omgeving, casus_ref: str, stap: str, uitkomst: str, rol: str, **kwargs: Any) -> BesluitGenomen:
    return neem_besluit(omg, *invoer(casus_ref, stap, uitkomst, rol, **kwargs))


def tel(omg: Omgeving, *modellen: type[Basis]) -> dict[str, int]:
    modellen = modellen or (Besluit, StapInstantie, Historie, Melding, Overdracht, Verzoek)
    with omg.uow() as sessie:
        return {str(m.__tablename__): sessie.scalar(select(func.count()).select_from(m)) or 0 for m in modellen}


def stap_rij(omg: Omgeving, casus_ref: str, stap_key: str) -> StapInstantie:
    """The newest instance of a step in a case."""
    with omg.uow() as sessie:
        rij = sessie.scalars(
            select(StapInstantie)
            .join(Casus, Casus.id == StapInstantie.casus_id)
            .where(Casus.ref == casus_ref, StapInstantie.stap_key == stap_key)
            .order_by(StapInstantie.id.desc())
        ).first()
        assert rij is not None
        return rij


def casus_rij(omg: Omgeving, casus_ref: str) -> Casus:
    with omg.uow() as sessie:
        rij = sessie.scalar(select(Casus).where(Casus.ref == casus_ref))
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


def naar_ave_regie_bepalen(omg: Omgeving, casus_ref: str) -> None:
    """interne_weging -> opschalen -> informeren_grondslag -> toestemming -> ave_regie_bepalen is open."""
    besluit(omg, casus_ref, "interne_weging", "opschalen", SCHOOL)
    besluit(omg, casus_ref, "informeren_grondslag", "wettelijke_grondslag", SCHOOL)
    assert lopende_stappen(omg, casus_ref)[-1] == "ave_regie_bepalen"


# -- refusals -------------------------------------------------------------------------------------------------


def _weigert_zonder_te_schrijven(
    omg: Omgeving, casus_ref: str, stap: str, besluit_in: tuple[BesluitIn, Actor], fout: type[DomeinFout], veld: str
) -> DomeinFout:
    voor = tel(omg)
    rij = stap_rij(omg, casus_ref, stap)
    with pytest.raises(fout) as info:
        neem_besluit(omg, *besluit_in)
    assert type(info.value) is fout
    assert info.value.veld == veld
    assert tel(omg) == voor
    na = stap_rij(omg, casus_ref, stap)
    assert (na.status, na.versie) == (rij.status, rij.versie) == ("open", rij.versie)
    return info.value


def test_unknown_outcome_is_refused(omg: Omgeving) -> None:
    casus = signaleer(omg).casus_ref
    fout = _weigert_zonder_te_schrijven(
        omg,
        casus,
        "interne_weging",
        invoer(casus, "interne_weging", "misschien", SCHOOL, idempotentie_sleutel="besluit-geweigerd-1"),
        InvoerFout,
        "uitkomst",
    )
    assert "geen_zorg" in fout.melding  # the known outcomes are listed


def test_outcome_that_asks_for_ave_is_refused_without_ave(omg: Omgeving) -> None:
    casus = signaleer(omg).casus_ref
    naar_ave_regie_bepalen(omg, casus)
    _weigert_zonder_te_schrijven(
        omg, casus, "ave_regie_bepalen", invoer(casus, "ave_regie_bepalen", "lokaal", SCHOOL), InvoerFout, "ave_fase"
    )


def test_unknown_casusregie_role_is_refused(omg: Omgeving) -> None:
    casus = signaleer(omg).casus_ref
    naar_ave_regie_bepalen(omg, casus)
    _weigert_zonder_te_schrijven(
        omg,
        casus,
        "ave_regie_bepalen",
        invoer(
            casus,
            "ave_regie_bepalen",
            "lokaal",
            SCHOOL,
            ave_fase=2,
            casusregie="wijkteam.stagiair",
            regie_voorstel="afwijken",
            regie_reden="expertise",
        ),
        InvoerFout,
        "casusregie",
    )


def test_role_that_is_neither_owner_nor_regie_is_refused(omg: Omgeving) -> None:
    casus = signaleer(omg).casus_ref
    fout = _weigert_zonder_te_schrijven(
        omg,
        casus,
        "interne_weging",
        invoer(casus, "interne_weging", "geen_zorg", JGZ, idempotentie_sleutel="besluit-geweigerd-2"),
        DomeinFout,
        "actor_rol",
    )
    assert SCHOOL in fout.melding  # who may decide is named


def test_unknown_actor_role_is_an_input_error(omg: Omgeving) -> None:
    casus = signaleer(omg).casus_ref
    _weigert_zonder_te_schrijven(
        omg,
        casus,
        "interne_weging",
        invoer(casus, "interne_weging", "geen_zorg", "school.conciergerie"),
        InvoerFout,
        "actor_rol",
    )


# -- idempotency ----------------------------------------------------------------------------------------------


def test_same_idempotency_key_records_one_decision(omg: Omgeving) -> None:
    casus = signaleer(omg).casus_ref
    eerste = neem(omg, casus, "interne_weging", "eigen_ondersteuning", SCHOOL, idempotentie_sleutel="klik-0001")
    na_eerste = tel(omg)
    tweede = neem(omg, casus, "interne_weging", "eigen_ondersteuning", SCHOOL, idempotentie_sleutel="klik-0001")

    assert eerste.herhaald is False
    assert tweede.herhaald is True
    assert tweede.besluit_ref == eerste.besluit_ref
    assert (tweede.casus_ref, tweede.stap, tweede.uitkomst) == (casus, "interne_weging", "eigen_ondersteuning")
    assert tel(omg) == na_eerste
    assert na_eerste["besluit"] == 1


def test_applying_a_decision_twice_writes_nothing_twice(omg: Omgeving, klok: Klok) -> None:
    casus = signaleer(omg).casus_ref
    genomen = neem(omg, casus, "interne_weging", "eigen_ondersteuning", SCHOOL)
    eerste = pas_besluit_toe(omg, genomen.besluit_ref)
    na_eerste = tel(omg)
    klok.verder(minutes=30)  # a re-run after a lost flow run, later
    tweede = pas_besluit_toe(omg, genomen.besluit_ref)

    assert eerste.al_toegepast is False
    assert eerste.gestarte_stappen == ["informeren_grondslag"]
    assert tweede.al_toegepast is True
    assert tweede.gestarte_stappen == ["informeren_grondslag"]
    assert tweede.casus_gesloten is False
    assert tel(omg) == na_eerste
    assert lopende_stappen(omg, casus) == ["informeren_grondslag"]


# -- conflicts ------------------------------------------------------------------------------------------------


def test_second_coordinator_deciding_the_same_step_gets_a_conflict(omg: Omgeving) -> None:
    casus = signaleer(omg).casus_ref
    eerste = neem(omg, casus, "interne_weging", "geen_zorg", SCHOOL, actor="coordinator.a")
    with pytest.raises(Conflict) as info:
        neem(omg, casus, "interne_weging", "opschalen", SCHOOL, actor="coordinator.b")
    assert info.value.veld == "stap"

    pas_besluit_toe(omg, eerste.besluit_ref)
    with pytest.raises(Conflict, match="al afgerond"):
        neem(omg, casus, "interne_weging", "opschalen", SCHOOL, actor="coordinator.b")
    assert tel(omg, Besluit) == {"besluit": 1}
    assert stap_rij(omg, casus, "interne_weging").uitkomst == "geen_zorg"


def test_stale_expected_version_gets_a_conflict(omg: Omgeving) -> None:
    casus = signaleer(omg).casus_ref
    gezien = next(s.versie for s in tijdlijn(omg, casus).stappen if s.stap == "interne_weging")
    verlengen(
        omg, casus, "interne_weging", 1, Verlengreden.WACHT_OP_INFORMATIE, als(SCHOOL, "collega")
    )  # someone else changes the step meanwhile
    nieuw = stap_rij(omg, casus, "interne_weging").versie
    assert nieuw == gezien + 1

    voor = tel(omg)
    with pytest.raises(Conflict):
        neem(omg, casus, "interne_weging", "geen_zorg", SCHOOL, verwachte_versie=gezien)
    assert tel(omg) == voor

    genomen = neem(omg, casus, "interne_weging", "geen_zorg", SCHOOL, verwachte_versie=nieuw)
    assert genomen.uitkomst == "geen_zorg"


@dataclass(frozen=True)
class _WachtBijVersleutelen(Sleutelring):
    """Holds each decision inside its transaction (after it read the step) until both have read it."""

    barriere: threading.Barrier | None = None

    def versleutel(self, data: bytes, context: str) -> bytes:
        if self.barriere is not None and context == "besluit.toelichting":
            self.barriere.wait(timeout=wachttijden.DRAAD)
        return super().versleutel(data, context)


def test_two_concurrent_decisions_on_one_step_one_wins(omg: Omgeving) -> None:
    casus = signaleer(omg).casus_ref
    start = threading.Barrier(2)
    # PostgreSQL: both transactions read the open step before either writes, so the version check decides.
    # SQLite takes the write lock at BEGIN (BEGIN IMMEDIATE): the second waits, then finds the step decided.
    binnen = threading.Barrier(2) if omg.engine.dialect.name == "postgresql" else None
    parallel = replace(omg, sleutels=_WachtBijVersleutelen(omg.sleutels.sleutels, omg.sleutels.hmac_sleutel, binnen))
    uitkomsten: list[BesluitGenomen | Exception | None] = [None, None]

    def beslis(i: int) -> None:
        try:
            start.wait(timeout=wachttijden.DRAAD)
            uitkomsten[i] = neem_besluit(
                parallel,
                *invoer(casus, "interne_weging", "geen_zorg", SCHOOL, actor=f"coordinator.{i}", toelichting="overleg"),
            )
        except Exception as exc:
            uitkomsten[i] = exc

    draden = [threading.Thread(target=beslis, args=(i,)) for i in range(2)]
    for d in draden:
        d.start()
    for d in draden:
        d.join(timeout=wachttijden.DRAAD)
    assert not any(d.is_alive() for d in draden)

    for u in uitkomsten:
        if isinstance(u, Exception) and not isinstance(u, Conflict):
            raise u
    gelukt = [u for u in uitkomsten if isinstance(u, BesluitGenomen)]
    conflicten = [u for u in uitkomsten if isinstance(u, Conflict)]
    assert len(gelukt) == 1
    assert len(conflicten) == 1
    with omg.uow() as sessie:
        assert sessie.scalars(select(Besluit.ref)).all() == [gelukt[0].besluit_ref]
    assert stap_rij(omg, casus, "interne_weging").status == "besloten"


def test_concurrent_application_of_one_decision_applies_it_once(omg: Omgeving) -> None:
    if omg.engine.dialect.name == "sqlite":
        pytest.skip("SQLite takes the write lock at BEGIN: a second application cannot read before the first commits")
    casus = signaleer(omg).casus_ref
    naar_ave_regie_bepalen(omg, casus)
    ref = neem(omg, casus, "ave_regie_bepalen", "lokaal", SCHOOL, ave_fase=2, regie_voorstel="aanvaard").besluit_ref

    # The late run (a retried flow run, or herstel) has read the decision and is about to lock the case when
    # the other run applies it and commits. (Should the late run hold a lock at that point, the other run waits
    # for it: the hook gives up after 5 s and the late run simply goes first.)
    gelezen, verder = threading.Event(), threading.Event()
    laat: dict[str, int] = {}

    def houd_vast(
        _conn: object, _cursor: object, statement: str, _params: object, _context: object, _many: bool
    ) -> None:
        eigen = threading.get_ident() == laat.get("draad")
        if eigen and "FROM casus" in statement and "FOR UPDATE" in statement and not gelezen.is_set():
            gelezen.set()
            verder.wait(timeout=5)  # a deadlock breaker (see above), not a wait for speed

    uitkomst: dict[str, BesluitToegepast | Exception] = {}

    def late_run() -> None:
        laat["draad"] = threading.get_ident()
        try:
            uitkomst["laat"] = pas_besluit_toe(omg, ref)
        except Exception as exc:
            uitkomst["laat"] = exc

    event.listen(omg.engine, "before_cursor_execute", houd_vast)
    draad = threading.Thread(target=late_run)
    try:
        draad.start()
        assert gelezen.wait(timeout=wachttijden.DRAAD)
        eerste = pas_besluit_toe(omg, ref)  # the other run
    finally:
        verder.set()
        draad.join(timeout=wachttijden.DRAAD)
        event.remove(omg.engine, "before_cursor_execute", houd_vast)

    tweede = uitkomst["laat"]
    if isinstance(tweede, Exception):
        assert isinstance(tweede, Conflict)  # refusing the late run is a correct answer too
        assert eerste.al_toegepast is False
    else:
        assert sorted([eerste.al_toegepast, tweede.al_toegepast]) == [False, True]
    with omg.uow() as sessie:
        assert len(sessie.scalars(select(Overdracht)).all()) == 1
        soorten = list(sessie.scalars(select(Historie.soort)))
    assert soorten.count("overdracht_aangeboden") == 1
    assert "stap_al_actief" not in soorten


# -- the default path to AVE 2 with a warm handoff ---------------------------------------------------------------


def test_ave_2_offers_casusregie_and_moves_it_only_on_acceptance(omg: Omgeving, klok: Klok) -> None:
    casus = signaleer(omg).casus_ref
    klok.zet(2026, 12, 2)
    signaleer(omg, rol=JGZ)  # a match: afstemming_na_match stays open, owned by casusregie (school)
    klok.zet(2026, 12, 3)
    naar_ave_regie_bepalen(omg, casus)
    assert lopende_stappen(omg, casus) == ["afstemming_na_match", "ave_regie_bepalen"]

    klok.zet(2026, 12, 7)  # Monday
    toegepast = besluit(omg, casus, "ave_regie_bepalen", "lokaal", SCHOOL, ave_fase=2, regie_voorstel="aanvaard")

    assert toegepast.gestarte_stappen == ["casusoverleg"]
    assert len(toegepast.overdrachten) == 1
    ref = toegepast.overdrachten[0]
    lijn = tijdlijn(omg, casus)
    assert lijn.casusregie == SCHOOL  # warm: nothing moves before acceptance
    assert lijn.ave == 1
    assert lijn.procesregie == PROCES  # nobody held procesregie: assigned directly
    assert "regie_toegewezen" in [g.soort for g in lijn.gebeurtenissen]
    overleg = stap_rij(omg, casus, "casusoverleg")
    assert overleg.eigenaar_rol == PROCES
    assert overleg.termijn_einde == eind(2026, 12, 21)  # Monday 7 December + 10 werkdagen
    with omg.uow() as sessie:
        aanbod = sessie.scalars(select(Overdracht)).one()
    assert (aanbod.ref, aanbod.soort, aanbod.van_rol, aanbod.naar_rol, aanbod.status) == (
        ref,
        "casusregie",
        SCHOOL,
        WIJKTEAM,
        "aangeboden",
    )
    assert aanbod.termijn_einde == eind(2026, 12, 9)  # 2 werkdagen to accept
    assert [m.ontvanger_rol for m in meldingen(omg, casus, "overdracht_aangeboden")] == [WIJKTEAM, SCHOOL]
    assert [t.overdracht_ref for t in postvak(omg, rol=WIJKTEAM, organisatie=als(WIJKTEAM).organisatie)] == [ref]

    klok.zet(2026, 12, 8)
    for verkeerd in (SCHOOL, PROCES):
        with pytest.raises(DomeinFout) as info:
            accepteer_overdracht(omg, ref, als(verkeerd, "iemand"))
        assert info.value.veld == "actor_rol"
    assert tijdlijn(omg, casus).casusregie == SCHOOL

    geaccepteerd = accepteer_overdracht(omg, ref, als(WIJKTEAM, "r.regisseur"))

    assert geaccepteerd.herhaald is False
    assert geaccepteerd.overgedragen_stappen == ["afstemming_na_match"]
    lijn = tijdlijn(omg, casus)
    assert lijn.casusregie == WIJKTEAM
    assert lijn.ave == 2
    assert lijn.procesregie == PROCES
    assert stap_rij(omg, casus, "afstemming_na_match").eigenaar_rol == WIJKTEAM
    assert stap_rij(omg, casus, "casusoverleg").eigenaar_rol == PROCES  # procesregie's step stays put
    assert [g.gegevens["naar"] for g in lijn.gebeurtenissen if g.soort == "ave_gewijzigd"] == [2]

    nog_eens = accepteer_overdracht(omg, ref, als(WIJKTEAM, "r.regisseur"))
    assert nog_eens.herhaald is True
    assert nog_eens.overgedragen_stappen == []
    assert len([g for g in tijdlijn(omg, casus).gebeurtenissen if g.soort == "overdracht_geaccepteerd"]) == 1


# -- closing ----------------------------------------------------------------------------------------------------


def test_closing_lapses_parallel_steps_and_refuses_further_decisions(omg: Omgeving, klok: Klok) -> None:
    casus = signaleer(omg).casus_ref
    signaleer(omg, rol=JGZ)  # afstemming_na_match runs in parallel
    besluit(omg, casus, "interne_weging", "geen_zorg", SCHOOL)
    assert lopende_stappen(omg, casus) == ["afstemming_na_match", "afsluiting"]

    klok.zet(2026, 12, 4)
    gesloten = besluit(omg, casus, "afsluiting", "gesloten", SCHOOL)

    assert gesloten.casus_gesloten is True
    assert gesloten.gestarte_stappen == []
    lijn = tijdlijn(omg, casus)
    assert lijn.status == "gesloten"
    assert lijn.gesloten_op == klok()
    assert {s.stap: s.status for s in lijn.stappen} == {
        "signaal_registreren": "afgerond",
        "interne_weging": "afgerond",
        "afstemming_na_match": "vervallen",
        "afsluiting": "afgerond",
    }
    assert lopende_stappen(omg, casus) == []
    assert casus not in open_casussen(omg)

    voor = tel(omg)
    with pytest.raises(Conflict) as info:
        neem(omg, casus, "afstemming_na_match", "afgestemd", SCHOOL)
    assert info.value.veld == "casus"
    assert tel(omg) == voor


def test_decision_recorded_before_closure_does_not_reopen_the_closed_case(omg: Omgeving) -> None:
    casus = signaleer(omg, acuut=True).casus_ref  # ave_regie_bepalen and informeren_grondslag in parallel
    laat = neem(omg, casus, "informeren_grondslag", "wettelijke_grondslag", SCHOOL)  # recorded, not yet applied
    besluit(omg, casus, "ave_regie_bepalen", "geen_vervolg", SCHOOL, ave_fase=1, regie_voorstel="aanvaard")
    besluit(omg, casus, "afsluiting", "gesloten", SCHOOL)
    assert stap_rij(omg, casus, "informeren_grondslag").status == "vervallen"

    with contextlib.suppress(Conflict):  # refusing is a correct answer too
        pas_besluit_toe(omg, laat.besluit_ref)

    assert tijdlijn(omg, casus).status == "gesloten"
    assert stap_rij(omg, casus, "informeren_grondslag").status == "vervallen"
    assert lopende_stappen(omg, casus) == []
    assert postvak(omg, rol=SCHOOL, organisatie=als(SCHOOL).organisatie) == []


# -- opschorten, hervatten, verlengen ------------------------------------------------------------------------------


def test_suspend_and_resume_moves_the_due_date_by_the_werkdagen_suspended(omg: Omgeving, klok: Klok) -> None:
    casus = signaleer(omg).casus_ref
    assert stap_rij(omg, casus, "interne_weging").termijn_einde == eind(2026, 12, 8)

    klok.zet(2026, 12, 3)  # Thursday
    opgeschort = opschorten(omg, casus, "interne_weging", Opschortreden.WACHT_OP_INFORMATIE, als(SCHOOL, "a.coord"))
    assert opgeschort.status == "opgeschort"
    assert opgeschort.termijn_einde == eind(2026, 12, 8)

    voor = tel(omg)
    with pytest.raises(DomeinFout) as info:
        neem(omg, casus, "interne_weging", "geen_zorg", SCHOOL)
    assert type(info.value) is DomeinFout
    assert info.value.veld == "stap"
    assert tel(omg) == voor

    klok.zet(2026, 12, 8)  # Tuesday: Thursday, Friday and Monday were lost
    hervat = hervatten(omg, casus, "interne_weging", als(SCHOOL, "a.coord"))

    assert hervat.werkdagen_opgeschort == 3
    assert hervat.status == "open"
    assert hervat.termijn_einde == eind(2026, 12, 11)  # Tuesday 8 December + 3 werkdagen = Friday 11 December
    rij = stap_rij(omg, casus, "interne_weging")
    assert (rij.status, rij.opgeschort_werkdagen, rij.opgeschort_op, rij.termijn_einde) == (
        "open",
        3,
        None,
        eind(2026, 12, 11),
    )
    gewijzigd = meldingen(omg, casus, "termijn_gewijzigd")
    assert [(m.ontvanger_rol, m.termijn_einde) for m in gewijzigd] == [(SCHOOL, eind(2026, 12, 11))]
    with pytest.raises(Conflict):
        hervatten(omg, casus, "interne_weging", als(SCHOOL, "a.coord"))


def test_extension_within_the_agreed_bound(omg: Omgeving) -> None:
    casus = signaleer(omg).casus_ref  # interne_weging: 5 werkdagen, max_verlenging 5

    eerste = verlengen(omg, casus, "interne_weging", 2, Verlengreden.WACHT_OP_INFORMATIE, als(SCHOOL, "a.coord"))
    assert eerste.termijn_einde == eind(2026, 12, 10)  # Tuesday 8 + 2 werkdagen

    with pytest.raises(DomeinFout) as info:
        verlengen(
            omg, casus, "interne_weging", 4, Verlengreden.WACHT_OP_INFORMATIE, als(SCHOOL, "a.coord")
        )  # only 3 left
    assert info.value.veld == "aantal"
    assert "nog 3" in info.value.melding
    assert stap_rij(omg, casus, "interne_weging").termijn_einde == eind(2026, 12, 10)

    tweede = verlengen(omg, casus, "interne_weging", 3, Verlengreden.WACHT_OP_INFORMATIE, als(SCHOOL, "a.coord"))
    assert tweede.termijn_einde == eind(2026, 12, 15)  # Thursday 10 + 3 werkdagen, across the weekend

    with pytest.raises(DomeinFout) as info:
        verlengen(omg, casus, "interne_weging", 1, Verlengreden.WACHT_OP_INFORMATIE, als(SCHOOL, "a.coord"))
    assert info.value.veld == "aantal"
    rij = stap_rij(omg, casus, "interne_weging")
    assert (rij.verlengd_met, rij.termijn_einde) == (5, eind(2026, 12, 15))


@pytest.mark.parametrize(
    ("aantal", "rol", "veld"),
    [pytest.param(0, SCHOOL, "aantal", id="zero"), pytest.param(1, JGZ, "actor_rol", id="other-role")],
)
def test_extension_refusals(omg: Omgeving, aantal: int, rol: str, veld: str) -> None:
    casus = signaleer(omg).casus_ref
    voor = tel(omg)
    with pytest.raises(DomeinFout) as info:
        verlengen(omg, casus, "interne_weging", aantal, Verlengreden.WACHT_OP_INFORMATIE, als(rol, "a.coord"))
    assert info.value.veld == veld
    assert tel(omg) == voor


def test_statutory_meldcode_term_cannot_be_extended(omg: Omgeving) -> None:
    casus = signaleer(omg).casus_ref
    toegepast = besluit(omg, casus, "interne_weging", "meldcode", SCHOOL)
    assert toegepast.gestarte_stappen == ["meldcode_vt", "informeren_grondslag"]
    vt = stap_rij(omg, casus, "meldcode_vt")
    assert (vt.eigenaar_rol, vt.termijn_einde) == (VEILIG_THUIS, eind(2026, 12, 8))

    voor = tel(omg)
    for rol in (VEILIG_THUIS, SCHOOL):  # neither the owner nor the casusregie may extend it
        with pytest.raises(DomeinFout, match="wettelijk") as info:
            verlengen(omg, casus, "meldcode_vt", 1, Verlengreden.WACHT_OP_INFORMATIE, als(rol, "a.coord"))
        assert info.value.veld == "aantal"
    assert tel(omg) == voor
    assert stap_rij(omg, casus, "meldcode_vt").termijn_einde == eind(2026, 12, 8)


# -- bewaking and postvak --------------------------------------------------------------------------------------------


def test_overdue_step_is_reported_once(omg: Omgeving, klok: Klok) -> None:
    casus = signaleer(omg).casus_ref  # interne_weging due Tuesday 8 December; reminder 1 werkdag before

    def signaal(soort: Literal["herinnering", "escalatie"], niveau: int, naar: list[str]) -> Bewakingssignaal:
        return Bewakingssignaal(
            casus_ref=casus,
            soort=soort,
            onderwerp="stap",
            stap="interne_weging",
            niveau=niveau,
            naar=naar,
            termijn_einde=eind(2026, 12, 8),
        )

    klok.zet(2026, 12, 4)  # Friday: nothing due yet
    assert bewaak(omg) == []
    klok.zet(2026, 12, 7)  # Monday: the reminder, once
    assert bewaak(omg) == [signaal("herinnering", 0, [SCHOOL])]
    assert bewaak(omg) == []

    klok.zet(2026, 12, 8, 23, 59)  # the last minute of the due day: not late yet
    assert bewaak(omg) == []

    klok.zet(2026, 12, 9)
    assert bewaak(omg) == [signaal("escalatie", 1, [SCHOOL])]  # level 1 of the ladder: the owner
    assert bewaak(omg) == []
    klok.verder(hours=1)
    assert bewaak(omg) == []

    te_laat = meldingen(omg, casus, "escalatie")
    assert [(m.ontvanger_rol, m.stap_key, m.termijn_einde, m.gegevens["niveau"]) for m in te_laat] == [
        (SCHOOL, "interne_weging", eind(2026, 12, 8), 1)
    ]
    assert [g.soort for g in tijdlijn(omg, casus).gebeurtenissen].count("escalatie") == 1
    rij = stap_rij(omg, casus, "interne_weging")
    assert rij.escalatie_niveau == 1
    assert rij.volgende_escalatie_op == eind(2026, 12, 10)  # level 2: 2 werkdagen after the due day

    klok.zet(2026, 12, 11)  # Friday: level 2, the owner's team lead
    assert bewaak(omg) == [signaal("escalatie", 2, ["school.teamleider"])]
    assert bewaak(omg) == []


def test_suspended_step_is_not_reported_late(omg: Omgeving, klok: Klok) -> None:
    casus = signaleer(omg).casus_ref
    klok.zet(2026, 12, 4)
    opschorten(omg, casus, "interne_weging", Opschortreden.WACHT_OP_TOESTEMMING, als(SCHOOL, "a.coord"))
    klok.zet(2026, 12, 10)
    assert bewaak(omg) == []
    assert meldingen(omg, casus, "escalatie") == []
    assert meldingen(omg, casus, "herinnering") == []


def test_postvak_lists_overdue_first_and_counts_werkdagen_across_the_weekend(omg: Omgeving, klok: Klok) -> None:
    a = signaleer(omg).casus_ref  # Tuesday 1 December: due Tuesday 8 December
    klok.zet(2026, 12, 3)
    b = signaleer(omg, bsn=ANDER_BSN, voornamen="Pim", achternaam="Proef").casus_ref  # due Thursday 10 December
    c = signaleer(omg, rol=JGZ, bsn=None, voornamen="Roos", achternaam="Proef").casus_ref  # JGZ's own

    klok.zet(2026, 12, 4)  # Friday
    taken = postvak(omg, rol=SCHOOL, organisatie=als(SCHOOL).organisatie)
    assert [(t.casus_ref, t.stap, t.werkdagen_resterend, t.te_laat) for t in taken] == [
        (a, "interne_weging", 2, False),  # Monday, Tuesday
        (b, "interne_weging", 4, False),  # Monday to Thursday
    ]
    assert [(t.rol, t.ave, t.soort, t.status) for t in taken] == [(SCHOOL, 1, "stap", "open")] * 2

    klok.zet(2026, 12, 9)  # Wednesday: a is one werkdag late
    taken = postvak(omg, rol=SCHOOL, organisatie=als(SCHOOL).organisatie)
    assert [(t.casus_ref, t.werkdagen_resterend, t.te_laat) for t in taken] == [(a, -1, True), (b, 1, False)]

    klok.zet(2026, 12, 14)  # Monday: a is Wednesday, Thursday, Friday and Monday late; b since Friday
    taken = postvak(omg, rol=SCHOOL, organisatie=als(SCHOOL).organisatie)
    assert [(t.casus_ref, t.werkdagen_resterend, t.te_laat) for t in taken] == [(a, -4, True), (b, -2, True)]

    assert [t.casus_ref for t in postvak(omg, organisatie="jgz-limburg-noord")] == [c]
    with pytest.raises(InvoerFout) as info:
        postvak(omg, rol="school.conciergerie", organisatie="school-de-wissel")
    assert info.value.veld == "rol"


# -- a running case keeps its definition version -------------------------------------------------------------------


def _gewijzigde_definitie(tmp_path: Path, versie: str) -> Path:
    data = yaml.safe_load(STANDAARD_WERKPROCES.read_text(encoding="utf-8"))
    data["versie"] = versie
    stap = next(s for s in data["stappen"] if s["key"] == "interne_weging")
    stap["termijn"]["aantal"] = 8
    stap["termijn"]["max_verlenging"] = 10
    pad = tmp_path / f"venlo-{versie}.yaml"
    pad.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return pad


def test_running_case_keeps_its_term_bounds_under_a_new_version(
    omg: Omgeving, engine: Engine, klok: Klok, tmp_path: Path
) -> None:
    oud = signaleer(omg).casus_ref
    nieuw_omg = maak_omgeving(engine, klok, werkproces=_gewijzigde_definitie(tmp_path, "2099.1"))
    nieuw = signaleer(nieuw_omg, bsn=ANDER_BSN, voornamen="Pim", achternaam="Proef").casus_ref

    assert tijdlijn(nieuw_omg, oud).werkproces == "venlo_convenant 2022.5"
    assert tijdlijn(nieuw_omg, nieuw).werkproces == "venlo_convenant 2099.1"
    assert stap_rij(omg, oud, "interne_weging").termijn_einde == eind(2026, 12, 8)  # 5 werkdagen
    assert stap_rij(omg, nieuw, "interne_weging").termijn_einde == eind(2026, 12, 11)  # 8 werkdagen

    with pytest.raises(DomeinFout) as info:  # the old bound (5) still holds for the old case
        verlengen(nieuw_omg, oud, "interne_weging", 6, Verlengreden.WACHT_OP_INFORMATIE, als(SCHOOL, "a.coord"))
    assert info.value.veld == "aantal"
    assert verlengen(
        nieuw_omg, nieuw, "interne_weging", 6, Verlengreden.WACHT_OP_INFORMATIE, als(SCHOOL, "a.coord")
    ).termijn_einde == eind(2026, 12, 21)


def test_running_case_starts_its_next_steps_with_its_own_version(
    omg: Omgeving, engine: Engine, klok: Klok, tmp_path: Path
) -> None:
    oud = signaleer(omg).casus_ref
    nieuw_omg = maak_omgeving(engine, klok, werkproces=_gewijzigde_definitie(tmp_path, "2099.1"))
    klok.zet(2026, 12, 2)
    # Drive the old case, under the new version in force, back to interne_weging (nazorg -> nieuw_signaal).
    for stap, uitkomst, extra in [
        ("interne_weging", "eigen_ondersteuning", {}),
        ("informeren_grondslag", "wettelijke_grondslag", {}),
        ("ave_regie_bepalen", "lokaal", {"ave_fase": 1, "regie_voorstel": "aanvaard"}),
        ("casusoverleg", "plan_opstellen", {}),
        ("plan_van_aanpak", "vastgesteld", {}),
        ("uitvoering_monitoring", "evalueren", {}),
        ("evaluatie", "afsluiten", {}),
        ("nazorg", "nieuw_signaal", {}),
    ]:
        besluit(nieuw_omg, oud, stap, uitkomst, SCHOOL, **extra)
    nieuw = signaleer(nieuw_omg, bsn=ANDER_BSN, voornamen="Pim", achternaam="Proef").casus_ref

    opnieuw = stap_rij(omg, oud, "interne_weging")
    assert (opnieuw.volgnummer, opnieuw.status) == (2, "open")
    assert opnieuw.termijn_einde == eind(2026, 12, 9)  # Wednesday 2 December + 5 werkdagen (2022.5)
    assert stap_rij(omg, nieuw, "interne_weging").termijn_einde == eind(2026, 12, 14)  # + 8 werkdagen (2099.1)


def test_changed_definition_under_a_used_version_is_refused(
    omg: Omgeving, engine: Engine, klok: Klok, tmp_path: Path
) -> None:
    signaleer(omg)  # version 2022.5 is now in use, snapshotted in the store
    vervalst = maak_omgeving(engine, klok, werkproces=_gewijzigde_definitie(tmp_path, "2022.5"))
    voor = tel(omg)

    with pytest.raises(DefinitieFout) as info:
        registreer(vervalst, lees_signaal(signaal_document(bsn=ANDER_BSN, voornamen="Pim")))
    assert info.value.problemen[0][0] == "versie"
    assert "2022.5" in str(info.value)
    assert tel(omg) == voor

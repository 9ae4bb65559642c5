"""Deadline bewaking: reminder, escalation level by level, unaccepted handoffs, stagnation → AVE; each once.

Time is injected (the ``klok`` fixture): the tests move it across weekends and holidays and never sleep. Every
test runs on SQLite and, where it answers, PostgreSQL.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Casus, Melding, Signalering, StapInstantie
from aanpak.usecases import termijnen
from aanpak.usecases.bewaking import Bewakingssignaal, bewaak
from aanpak.usecases.inzicht import postvak, tijdlijn
from aanpak.usecases.overdracht import accepteer_overdracht
from models.casus import Opschortreden, Verlengreden
from models.fouten import DomeinFout
from tests import wachttijden
from tests.conftest import Klok
from tests.gegevens import als, besluit, signaleer

SCHOOL = "school.zorgcoordinator"
WIJKTEAM = "wijkteam.casusregisseur"
GEMEENTE = "gemeente.procesregisseur"


def _samenvatting(signalen: list[Bewakingssignaal]) -> list[tuple[str, str | None, int, list[str]]]:
    return [(s.soort, s.stap, s.niveau, s.naar) for s in signalen]


def _aantal_signaleringen(omg: Omgeving) -> int:
    with omg.uow() as sessie:
        return sessie.scalar(select(func.count()).select_from(Signalering)) or 0


def test_reminder_then_escalation_level_by_level_each_once(omg: Omgeving, klok: Klok) -> None:
    klok.zet(2026, 12, 1)  # Tuesday
    casus = signaleer(omg).casus_ref
    # interne_weging: 5 werkdagen → due end of Tuesday 8 December; reminder 1 werkdag before (Monday 7).
    klok.zet(2026, 12, 4, 16)
    assert bewaak(omg) == []
    klok.zet(2026, 12, 7, 8)
    assert _samenvatting(bewaak(omg)) == [("herinnering", "interne_weging", 0, [SCHOOL])]
    assert bewaak(omg) == []

    klok.zet(2026, 12, 8, 23, 59)
    assert bewaak(omg) == []  # not late until the end of the due day
    klok.zet(2026, 12, 9, 9)
    assert _samenvatting(bewaak(omg)) == [("escalatie", "interne_weging", 1, [SCHOOL])]
    klok.zet(2026, 12, 10, 12)
    assert bewaak(omg) == []  # level 2 comes after 2 werkdagen: end of Thursday 10 December
    klok.zet(2026, 12, 11, 8)
    assert _samenvatting(bewaak(omg)) == [("escalatie", "interne_weging", 2, ["school.teamleider"])]
    # Level 3 after 5 werkdagen: Wed 9, Thu 10, Fri 11, Mon 14, Tue 15 → fires on Wednesday 16 December.
    klok.zet(2026, 12, 15, 22)
    assert bewaak(omg) == []
    klok.zet(2026, 12, 16, 8)
    assert _samenvatting(bewaak(omg)) == [("escalatie", "interne_weging", 3, [GEMEENTE])]
    assert bewaak(omg) == []

    with omg.uow() as sessie:
        soorten = Counter(m.soort for m in sessie.scalars(select(Melding).join(Casus).where(Casus.ref == casus)))
        stap = sessie.scalars(select(StapInstantie).where(StapInstantie.stap_key == "interne_weging")).one()
        assert stap.escalatie_niveau == 3
    assert soorten["herinnering"] == 1
    assert soorten["escalatie"] == 3
    assert _aantal_signaleringen(omg) == 4


def test_bewaking_that_was_down_catches_up_over_christmas_in_order(omg: Omgeving, klok: Klok) -> None:
    klok.zet(2026, 12, 18)  # Friday
    signaleer(omg)
    # 5 werkdagen: Mon 21, Tue 22, Wed 23, Thu 24, (Fri 25 and Sat 26 Christmas/weekend) Mon 28 → due Mon 28.
    # Level 2 (2 werkdagen later): Tue 29, Wed 30 → end of Wed 30. Level 3 (5): Tue 29 … Mon 4 Jan (1 Jan) → Tue 5.
    klok.zet(2027, 1, 5, 12)
    signalen = bewaak(omg)
    # No reminder any more (the due date has passed): the ladder takes over.
    assert _samenvatting(signalen) == [
        ("escalatie", "interne_weging", 1, [SCHOOL]),
        ("escalatie", "interne_weging", 2, ["school.teamleider"]),
    ]
    assert all(s.termijn_einde.date().isoformat() == "2026-12-28" for s in signalen)
    klok.zet(2027, 1, 6, 8)
    assert _samenvatting(bewaak(omg)) == [("escalatie", "interne_weging", 3, [GEMEENTE])]


def test_extension_moves_the_ladder_and_statutory_term_is_refused(omg: Omgeving, klok: Klok) -> None:
    klok.zet(2026, 12, 1)
    casus = signaleer(omg).casus_ref
    termijnen.verlengen(
        omg, casus, "interne_weging", 3, Verlengreden.WACHT_OP_INFORMATIE, als(SCHOOL, "t.test")
    )  # due Tue 8 → Fri 11 December
    klok.zet(2026, 12, 9, 9)
    assert bewaak(omg) == []  # the reminder moved to Thursday 10
    klok.zet(2026, 12, 10, 8)
    assert _samenvatting(bewaak(omg)) == [("herinnering", "interne_weging", 0, [SCHOOL])]
    klok.zet(2026, 12, 14, 8)
    assert _samenvatting(bewaak(omg)) == [("escalatie", "interne_weging", 1, [SCHOOL])]

    besluit(omg, casus, "interne_weging", "meldcode", SCHOOL)
    with pytest.raises(DomeinFout, match="wettelijk") as fout:
        termijnen.verlengen(
            omg, casus, "meldcode_vt", 1, Verlengreden.WACHT_OP_INFORMATIE, als("veilig_thuis.medewerker", "t.test")
        )
    assert fout.value.veld == "aantal"


def test_unaccepted_handoff_escalates_and_old_holder_stays_responsible(omg: Omgeving, klok: Klok) -> None:
    klok.zet(2026, 12, 1)
    casus = signaleer(omg).casus_ref
    besluit(omg, casus, "interne_weging", "eigen_ondersteuning", SCHOOL)
    besluit(omg, casus, "informeren_grondslag", "wettelijke_grondslag", SCHOOL)
    toegepast = besluit(
        omg, casus, "ave_regie_bepalen", "lokaal", SCHOOL, ave_fase=2, casusregie=WIJKTEAM, regie_voorstel="aanvaard"
    )
    (overdracht_ref,) = toegepast.overdrachten
    # Handoff term 2 werkdagen: Wed 2, Thu 3 → due end of Thursday 3 December.
    klok.zet(2026, 12, 4, 9)
    signalen = [s for s in bewaak(omg) if s.onderwerp == "overdracht"]
    assert _samenvatting(signalen) == [("escalatie", None, 1, [WIJKTEAM, SCHOOL])]
    with omg.uow() as sessie:
        rij = sessie.scalars(select(Casus).where(Casus.ref == casus)).one()
        assert (rij.casusregie, rij.ave_niveau) == (SCHOOL, 1)  # old holder stays until acceptance
    klok.zet(2026, 12, 8, 9)  # level 2 after 2 werkdagen (Fri 4, Mon 7)
    signalen = [s for s in bewaak(omg) if s.onderwerp == "overdracht"]
    assert _samenvatting(signalen) == [("escalatie", None, 2, ["wijkteam.teamleider", SCHOOL])]
    accepteer_overdracht(omg, overdracht_ref, als(WIJKTEAM, "c.r"))
    klok.zet(2026, 12, 20, 9)
    assert [s for s in bewaak(omg) if s.onderwerp == "overdracht"] == []


def test_stagnation_at_ave_2_asks_procesregie_to_consider_opschalen_once(omg: Omgeving, klok: Klok) -> None:
    klok.zet(2026, 12, 1)
    casus = signaleer(omg).casus_ref
    besluit(omg, casus, "interne_weging", "eigen_ondersteuning", SCHOOL)
    besluit(omg, casus, "informeren_grondslag", "wettelijke_grondslag", SCHOOL)
    toegepast = besluit(
        omg, casus, "ave_regie_bepalen", "lokaal", SCHOOL, ave_fase=2, casusregie=WIJKTEAM, regie_voorstel="aanvaard"
    )
    accepteer_overdracht(omg, toegepast.overdrachten[0], als(WIJKTEAM, "c.r"))
    # casusoverleg: 10 werkdagen from Tue 1 Dec → due Tue 15 Dec; stagnation after 5 more werkdagen → Tue 22 Dec.
    klok.zet(2026, 12, 22, 12)
    assert "stagnatie" not in {s.soort for s in bewaak(omg)}
    klok.zet(2026, 12, 23, 8)
    stagnatie = [s for s in bewaak(omg) if s.soort == "stagnatie"]
    assert _samenvatting(stagnatie) == [("stagnatie", "casusoverleg", 0, [GEMEENTE])]
    klok.zet(2026, 12, 24, 8)
    assert [s for s in bewaak(omg) if s.soort == "stagnatie"] == []

    with omg.uow() as sessie:
        overwegen = sessie.scalars(select(StapInstantie).where(StapInstantie.stap_key == "opschaling_overwegen")).one()
        assert (overwegen.eigenaar_rol, overwegen.status) == (GEMEENTE, "open")
    # The answer is a recorded decision: opschalen to AVE 3 (procesregie to the ZVH, handed over warmly).
    antwoord = besluit(omg, casus, "opschaling_overwegen", "opschalen", GEMEENTE, ave_fase=3, regie_voorstel="aanvaard")
    assert antwoord.gestarte_stappen == []  # casusoverleg is still running: not doubled
    assert len(antwoord.overdrachten) == 1


def test_stagnation_is_not_raised_at_ave_1(omg: Omgeving, klok: Klok) -> None:
    klok.zet(2026, 12, 1)
    signaleer(omg)
    klok.zet(2027, 2, 1, 9)
    assert "stagnatie" not in {s.soort for s in bewaak(omg)}
    with omg.uow() as sessie:
        assert sessie.scalars(select(StapInstantie).where(StapInstantie.stap_key == "opschaling_overwegen")).all() == []


def test_two_concurrent_bewaking_runs_send_each_signal_once(omg: Omgeving, klok: Klok) -> None:
    klok.zet(2026, 12, 1)
    for i in range(6):
        signaleer(omg, bsn=None, voornamen=f"Kind{'abcdef'[i]}", achternaam="Gelijktijdig")
    klok.zet(2026, 12, 16, 8)  # levels 1-3 due for each of the 6 steps (too late for the reminder)
    barriere = threading.Barrier(2)
    resultaten: list[list[Bewakingssignaal]] = []
    fouten: list[BaseException] = []

    def ronde() -> None:
        try:
            barriere.wait(timeout=wachttijden.DRAAD)
            resultaten.append(bewaak(omg))
        except BaseException as exc:  # surfaced below
            fouten.append(exc)

    draden = [threading.Thread(target=ronde) for _ in range(2)]
    for d in draden:
        d.start()
    for d in draden:
        d.join(timeout=wachttijden.DRAAD)
    assert fouten == []
    alle = [s for r in resultaten for s in r]
    assert len(alle) == 6 * 3
    assert Counter((s.casus_ref, s.soort, s.niveau) for s in alle).most_common(1)[0][1] == 1
    assert _aantal_signaleringen(omg) == 6 * 3
    with omg.uow() as sessie:
        assert sessie.scalar(select(func.count()).select_from(Melding).where(Melding.soort == "escalatie")) == 6 * 3
    assert bewaak(omg) == []


def _naar_uitvoering(omg: Omgeving, klok: Klok, ave: int) -> str:
    """A case through triage to an open uitvoering_monitoring step at AVE ``ave`` (1 or 2)."""
    klok.zet(2026, 12, 1)
    casus = signaleer(omg).casus_ref
    besluit(omg, casus, "interne_weging", "eigen_ondersteuning", SCHOOL)
    besluit(omg, casus, "informeren_grondslag", "wettelijke_grondslag", SCHOOL)
    if ave == 1:
        besluit(omg, casus, "ave_regie_bepalen", "lokaal", SCHOOL, ave_fase=1, regie_voorstel="aanvaard")
        besluit(omg, casus, "casusoverleg", "plan_opstellen", SCHOOL)
        besluit(omg, casus, "plan_van_aanpak", "vastgesteld", SCHOOL)
        return casus
    toegepast = besluit(
        omg, casus, "ave_regie_bepalen", "lokaal", SCHOOL, ave_fase=2, casusregie=WIJKTEAM, regie_voorstel="aanvaard"
    )
    (overdracht_ref,) = toegepast.overdrachten
    accepteer_overdracht(omg, overdracht_ref, als(WIJKTEAM, "c.r"))
    besluit(omg, casus, "casusoverleg", "plan_opstellen", GEMEENTE)
    besluit(omg, casus, "plan_van_aanpak", "vastgesteld", WIJKTEAM)
    return casus


def _reviews(signalen: list[Bewakingssignaal]) -> list[tuple[str, str | None, list[str]]]:
    return [(s.casus_ref, s.stap, s.naar) for s in signalen if s.soort == "review"]


def test_missed_monitoring_review_is_signalled_once_per_period_at_the_ave_cadence(omg: Omgeving, klok: Klok) -> None:
    from datetime import timedelta

    from models.casus import kalender_voor
    from models.kalender import einde_van_dag, lokale_datum

    casus = _naar_uitvoering(omg, klok, ave=2)
    with omg.uow() as sessie:
        wp = omg.werkprocessen.van(sessie, sessie.scalars(select(Casus.werkproces_id)).one())
        stap = sessie.scalars(select(StapInstantie).where(StapInstantie.stap_key == "uitvoering_monitoring")).one()
        gestart, review_op = stap.gestart_op, stap.review_op
    kal = kalender_voor(wp)
    cadans = wp.fase(2).monitoring_werkdagen
    assert cadans == 40
    assert review_op == einde_van_dag(kal.plus_werkdagen(lokale_datum(gestart), cadans))

    # Halfway the casusregisseur records a review: the next is due one cadence after it.
    klok.moment = einde_van_dag(kal.plus_werkdagen(lokale_datum(gestart), 20)) - timedelta(hours=8)
    vastgelegd = termijnen.review(omg, casus, "uitvoering_monitoring", als(WIJKTEAM, "c.r"))
    assert vastgelegd.volgende_review == einde_van_dag(kal.plus_werkdagen(lokale_datum(klok()), cadans))
    assert vastgelegd.volgende_review is not None
    klok.moment = review_op + timedelta(hours=9)  # the original review moment has passed: nothing is missed
    assert _reviews(bewaak(omg)) == []

    klok.moment = vastgelegd.volgende_review + timedelta(minutes=1)
    assert _reviews(bewaak(omg)) == [(casus, "uitvoering_monitoring", [WIJKTEAM, GEMEENTE])]
    assert _reviews(bewaak(omg)) == []  # once per period, also when the bewaking runs again at once
    with omg.uow() as sessie:
        soorten = Counter(m.soort for m in sessie.scalars(select(Melding)))
        volgende = sessie.scalars(
            select(StapInstantie.review_op).where(StapInstantie.stap_key == "uitvoering_monitoring")
        ).one()
    assert soorten["review_gemist"] == 2  # casusregie and procesregie
    assert volgende == einde_van_dag(kal.plus_werkdagen(lokale_datum(klok()), cadans))

    with pytest.raises(DomeinFout) as info:
        termijnen.review(omg, casus, "uitvoering_monitoring", als(SCHOOL, "a.m"))  # not the casusregie any more
    assert info.value.veld == "actor_rol"


def test_no_monitoring_reviews_at_ave_1(omg: Omgeving, klok: Klok) -> None:
    casus = _naar_uitvoering(omg, klok, ave=1)
    with omg.uow() as sessie:
        assert (
            sessie.scalars(
                select(StapInstantie.review_op).where(StapInstantie.stap_key == "uitvoering_monitoring")
            ).one()
            is None
        )
    klok.zet(2027, 6, 1)
    assert _reviews(bewaak(omg)) == []
    with pytest.raises(DomeinFout):
        termijnen.review(omg, casus, "plan_van_aanpak", als(SCHOOL, "a.m"))  # not a running step


# -- a step suspended past its maximum (termijn.opschorting.max_werkdagen) -------------------------------------


def test_a_step_suspended_past_its_maximum_escalates_once(omg: Omgeving, klok: Klok) -> None:
    """interne_weging may be suspended 10 werkdagen in all. Suspended on Tuesday 1 December, the 10th werkdag
    is Monday 14 December (weekends do not count); from Wednesday 16 December it is over the maximum."""
    casus = signaleer(omg).casus_ref
    school = als(SCHOOL, "a.coord")
    termijnen.opschorten(omg, casus, "interne_weging", Opschortreden.WACHT_OP_INFORMATIE, school)

    klok.zet(2026, 12, 15, 16)
    assert [s for s in bewaak(omg) if s.soort == "opschorting"] == []
    (taak,) = [t for t in postvak(omg, rol=SCHOOL, organisatie=school.organisatie) if t.casus_ref == casus]
    assert (taak.status, taak.signalering) == ("opgeschort", None)

    klok.zet(2026, 12, 16, 9)
    signalen = [s for s in bewaak(omg) if s.soort == "opschorting"]
    # The owner and — no procesregie yet at AVE 1 — the ladder's gemeentelijk procesregisseur.
    assert _samenvatting(signalen) == [("opschorting", "interne_weging", 0, [SCHOOL, GEMEENTE])]
    voor = _aantal_signaleringen(omg)
    klok.verder(days=1)
    assert [s for s in bewaak(omg) if s.soort == "opschorting"] == []  # once, across passes
    assert _aantal_signaleringen(omg) == voor
    with omg.uow() as sessie:
        rijen = sessie.scalars(
            select(Melding).where(Melding.soort == "opschorting_over_maximum").order_by(Melding.id)
        ).all()
        assert [(m.ontvanger_rol, m.ontvanger_organisatie) for m in rijen] == [
            (SCHOOL, "school-de-wissel"),
            (GEMEENTE, "gemeente-venlo"),
        ]
    assert [g.soort for g in tijdlijn(omg, casus).gebeurtenissen].count("opschorting_over_maximum") == 1
    (taak,) = [t for t in postvak(omg, rol=SCHOOL, organisatie=school.organisatie) if t.casus_ref == casus]
    assert taak.signalering == "opschorting over maximum"
    # Resuming moves the term by at most the maximum; the flag goes with the suspension.
    termijnen.hervatten(omg, casus, "interne_weging", school)
    (taak,) = [t for t in postvak(omg, rol=SCHOOL, organisatie=school.organisatie) if t.casus_ref == casus]
    assert (taak.status, taak.signalering) == ("open", None)


def test_a_step_without_a_suspension_maximum_is_never_flagged(omg: Omgeving, klok: Klok) -> None:
    casus = signaleer(omg).casus_ref
    besluit(omg, casus, "interne_weging", "eigen_ondersteuning", SCHOOL)  # informeren_grondslag: no maximum
    termijnen.opschorten(omg, casus, "informeren_grondslag", Opschortreden.WACHT_OP_TOESTEMMING, als(SCHOOL))
    klok.zet(2027, 3, 1)
    assert [s for s in bewaak(omg) if s.soort == "opschorting"] == []

"""The regie proposal from convenant rules (issue 14): models/regievoorstel.py, aanpak/usecases/besluit.py.

Definition 2022.5 proposes casus- and procesregie by AVE phase, category, age band, source partner and acuut;
the AVE decision accepts the proposal or departs from it with a reason, and both are logged decisions. A case
that started under 2022.4 keeps the phase defaults without a proposal. Tests on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, func, select

from aanpak.config import STANDAARD_ORGANISATIES, STANDAARD_WERKPROCES
from aanpak.omgeving import Omgeving
from aanpak.store.schema import Besluit, Overdracht
from aanpak.usecases.besluit import BesluitIn, neem_besluit
from aanpak.usecases.inzicht import Gebeurtenis, postvak, tijdlijn
from models import organisaties
from models.binding import Partij
from models.casus import Regie
from models.fouten import DefinitieFout, InvoerFout
from models.regievoorstel import Casuskenmerken, regel_voor, voorstel
from models.signaal import leeftijdsgroep
from models.werkproces import LEEFTIJDSGROEPEN, laad_bestand, laad_tekst
from tests.conftest import Klok, maak_omgeving
from tests.gegevens import als, besluit, signaleer

SCHOOL = "school.zorgcoordinator"
JGZ = "jgz.jeugdverpleegkundige"
WIJKTEAM = "wijkteam.casusregisseur"
PROCES = "gemeente.procesregisseur"
ZVH = "zvhnl.procesregisseur"


def _standaard() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(STANDAARD_WERKPROCES.read_text(encoding="utf-8"))
    return data


def _naar_ave_regie_bepalen(omg: Omgeving, **signaal: Any) -> str:
    casus = signaleer(omg, **signaal).casus_ref
    besluit(omg, casus, "interne_weging", "opschalen", SCHOOL)
    besluit(omg, casus, "informeren_grondslag", "wettelijke_grondslag", SCHOOL)
    return casus


def _weigert(omg: Omgeving, casus: str, veld: str, **kwargs: Any) -> InvoerFout:
    with omg.uow() as sessie:
        voor = sessie.scalar(select(func.count()).select_from(Besluit))
    with pytest.raises(InvoerFout) as info:
        neem_besluit(
            omg, BesluitIn(casus_ref=casus, stap="ave_regie_bepalen", uitkomst="lokaal", **kwargs), als(SCHOOL)
        )
    assert info.value.veld == veld
    with omg.uow() as sessie:
        assert sessie.scalar(select(func.count()).select_from(Besluit)) == voor
    return info.value


def _regiehistorie(omg: Omgeving, casus: str) -> list[Gebeurtenis]:
    return [g for g in tijdlijn(omg, casus).gebeurtenissen if g.soort.startswith("regievoorstel_")]


def _overdrachten(omg: Omgeving) -> list[tuple[str, str, str | None]]:
    with omg.uow() as sessie:
        return [
            (o.soort, o.naar_rol, o.naar_organisatie)
            for o in sessie.scalars(select(Overdracht).order_by(Overdracht.id))
        ]


# -- the rules in the definition --------------------------------------------------------------------------------


def test_age_bands_of_the_rules_are_those_a_signal_records() -> None:
    assert sorted({leeftijdsgroep(n) for n in range(0, 24)}) == sorted(LEEFTIJDSGROEPEN)


def test_the_first_matching_rule_wins_and_the_phase_default_is_the_last_rule() -> None:
    wp, _ = laad_bestand(STANDAARD_WERKPROCES)
    assert wp.versie == "2022.5"
    jong = Casuskenmerken(frozenset({"gezondheid"}), "0-3", frozenset({"kinderopvang"}), False)
    assert regel_voor(wp, 2, jong).key == "jonge_kinderen_gezondheid"
    assert regel_voor(wp, 3, jong).key == "ave_3_standaard"  # the rule is for AVE 2 only
    ouder = Casuskenmerken(frozenset({"gezondheid"}), "4-11", frozenset({"school"}), False)
    standaard = regel_voor(wp, 2, ouder)
    assert (standaard.key, standaard.casusregie, standaard.procesregie) == ("ave_2_standaard", WIJKTEAM, PROCES)
    thuis = Casuskenmerken(frozenset({"veiligheid_thuis"}), "4-11", frozenset({"school"}), True)
    assert regel_voor(wp, 2, thuis).procesregie == ZVH
    assert regel_voor(wp, 2, Casuskenmerken(thuis.categorieen, "4-11", thuis.bronnen, False)).procesregie == PROCES
    straat = Casuskenmerken(frozenset({"veiligheid_openbaar"}), "12-15", frozenset({"politie"}), False)
    assert regel_voor(wp, 2, straat).key == "jeugd_openbare_orde"
    assert regel_voor(wp, 2, Casuskenmerken(straat.categorieen, "12-15", frozenset({"school"}), False)).key == (
        "ave_2_standaard"
    )
    assert regel_voor(wp, 1, ouder).casusregie == "melder"


def test_the_proposal_resolves_roles_to_the_cases_organisations() -> None:
    wp, _ = laad_bestand(STANDAARD_WERKPROCES)
    register = organisaties.laad_bestand(STANDAARD_ORGANISATIES, wp)
    school, wijkteam = Partij("school-het-baken", SCHOOL), Partij("wijkteam-venlo", WIJKTEAM)
    regie = Regie(wijkteam, Partij("gemeente-venlo", PROCES), (school,), (school, wijkteam))
    kenmerken = Casuskenmerken(frozenset({"verzuim"}), "12-15", frozenset({"school"}), False)
    terug = voorstel(wp, register, 1, kenmerken, regie)  # afschalen: back to the melder, procesregie stays
    assert (terug.regel.key, str(terug.casusregie), str(terug.procesregie)) == (
        "afschalen_naar_basis",
        f"{SCHOOL}@school-het-baken",
        f"{PROCES}@gemeente-venlo",
    )
    zonder = Regie(None, None, (school,), (school,))
    op = voorstel(wp, register, 3, kenmerken, zonder)
    assert (str(op.casusregie), str(op.procesregie)) == (f"{WIJKTEAM}@wijkteam-venlo", f"{ZVH}@zvhnl")
    data = yaml.safe_load(STANDAARD_ORGANISATIES.read_text(encoding="utf-8"))
    data["organisaties"].append({"key": "wijkteam-blerick", "naam": "Wijkteam Blerick", "type": "wijkteam"})
    twee = organisaties.laad_tekst(yaml.safe_dump(data, allow_unicode=True), "test.yaml", wp)
    open_keuze = voorstel(wp, twee, 2, kenmerken, zonder).casusregie
    assert open_keuze is not None
    assert (open_keuze.organisatie, open_keuze.opties) == (None, ("wijkteam-venlo", "wijkteam-blerick"))


@pytest.mark.parametrize(
    ("wijzig", "pad", "tekst"),
    [
        (lambda r: r.update(casusregie="wijkteam.stagiair"), "regievoorstellen[0].casusregie", "onbekende rol"),
        (
            lambda r: r["wanneer"].update(categorie=["spijbelen"]),
            "regievoorstellen[0].wanneer.categorie[0]",
            "categorie",
        ),
        (lambda r: r["wanneer"].update(leeftijd=["0-4"]), "regievoorstellen[0].wanneer.leeftijd[0]", "leeftijdsgroep"),
        (lambda r: r["wanneer"].update(bron=["sportclub"]), "regievoorstellen[0].wanneer.bron[0]", "organisatie"),
        (lambda r: r.update(key="ave_2_standaard"), "regievoorstellen", "gereserveerde"),
    ],
)
def test_a_rule_naming_something_unknown_is_refused_at_load(wijzig: Any, pad: str, tekst: str) -> None:
    data = _standaard()
    wijzig(data["regievoorstellen"][0])
    with pytest.raises(DefinitieFout) as info:
        laad_tekst(yaml.safe_dump(data, allow_unicode=True), "test.yaml")
    assert [p for p, _ in info.value.problemen] == [pad]
    assert tekst in info.value.problemen[0][1]


# -- the decision: accept or override ---------------------------------------------------------------------------


def test_an_ave_decision_without_a_choice_about_the_proposal_is_refused(omg: Omgeving) -> None:
    casus = _naar_ave_regie_bepalen(omg)
    fout = _weigert(omg, casus, "regie_voorstel", ave_fase=2)
    assert "ave_2_standaard" in str(fout)
    _weigert(omg, casus, "regie_voorstel", ave_fase=2, casusregie=WIJKTEAM)
    _weigert(omg, casus, "regie_reden", ave_fase=2, regie_voorstel="afwijken", casusregie=JGZ)
    _weigert(omg, casus, "regie_reden", ave_fase=2, regie_voorstel="aanvaard", regie_reden="expertise")
    _weigert(omg, casus, "casusregie", ave_fase=2, regie_voorstel="aanvaard", casusregie=JGZ)
    # Departing without departing from anything is no override.
    _weigert(omg, casus, "regie_voorstel", ave_fase=2, regie_voorstel="afwijken", regie_reden="expertise")
    _weigert(
        omg,
        casus,
        "regie_voorstel",
        ave_fase=2,
        regie_voorstel="afwijken",
        regie_reden="expertise",
        casusregie=WIJKTEAM,
    )


def test_a_choice_about_the_proposal_at_a_step_that_sets_no_regie_is_refused(omg: Omgeving) -> None:
    casus = signaleer(omg).casus_ref
    with pytest.raises(InvoerFout) as info:
        neem_besluit(
            omg,
            BesluitIn(casus_ref=casus, stap="interne_weging", uitkomst="opschalen", regie_voorstel="aanvaard"),
            als(SCHOOL),
        )
    assert info.value.veld == "regie_voorstel"


def test_accepting_the_proposal_offers_it_and_is_a_logged_decision(omg: Omgeving) -> None:
    casus = _naar_ave_regie_bepalen(omg)
    besluit(omg, casus, "ave_regie_bepalen", "lokaal", SCHOOL, ave_fase=2, regie_voorstel="aanvaard")
    assert _overdrachten(omg) == [("casusregie", WIJKTEAM, "wijkteam-venlo")]
    tl = tijdlijn(omg, casus)
    assert (tl.procesregie, tl.regievoorstel) == (PROCES, [])  # decided: no open proposal any more
    (g,) = _regiehistorie(omg, casus)
    assert g.soort == "regievoorstel_aanvaard"
    assert (g.rol, g.actor) == (SCHOOL, "test.gebruiker")
    assert g.gegevens == {
        "besluit": g.gegevens["besluit"],
        "ave_fase": 2,
        "regel": "ave_2_standaard",
        "voorstel_casusregie": f"{WIJKTEAM}@wijkteam-venlo",
        "voorstel_procesregie": f"{PROCES}@gemeente-venlo",
        "casusregie": f"{WIJKTEAM}@wijkteam-venlo",
        "procesregie": f"{PROCES}@gemeente-venlo",
        "reden": None,
    }


def test_a_rule_proposes_jgz_for_a_toddler_with_a_health_concern(omg: Omgeving) -> None:
    casus = _naar_ave_regie_bepalen(omg, geboortedatum="2024-06-01", categorieen=["gezondheid"])
    (taak,) = [t for t in postvak(omg, rol=SCHOOL, organisatie="school-de-wissel") if t.casus_ref == casus]
    ave2 = next(v for v in taak.regievoorstel if v.ave == 2)
    assert (ave2.regel, ave2.casusregie, ave2.casusregie_organisatie) == (
        "jonge_kinderen_gezondheid",
        JGZ,
        "jgz-limburg-noord",
    )
    assert [v.ave for v in taak.regievoorstel] == [1, 2, 3, 4]
    assert next(v for v in taak.regievoorstel if v.ave == 3).regel == "ave_3_standaard"
    assert tijdlijn(omg, casus).regievoorstel == taak.regievoorstel
    besluit(omg, casus, "ave_regie_bepalen", "lokaal", SCHOOL, ave_fase=2, regie_voorstel="aanvaard")
    assert _overdrachten(omg) == [("casusregie", JGZ, "jgz-limburg-noord")]
    assert _regiehistorie(omg, casus)[0].gegevens["regel"] == "jonge_kinderen_gezondheid"


def test_overriding_the_proposal_names_the_reason_and_what_was_proposed(omg: Omgeving) -> None:
    casus = _naar_ave_regie_bepalen(omg, geboortedatum="2024-06-01", categorieen=["gezondheid"])
    besluit(
        omg,
        casus,
        "ave_regie_bepalen",
        "lokaal",
        SCHOOL,
        ave_fase=2,
        regie_voorstel="afwijken",
        regie_reden="vertrouwensrelatie",
        casusregie=WIJKTEAM,
    )
    assert _overdrachten(omg) == [("casusregie", WIJKTEAM, "wijkteam-venlo")]
    (g,) = _regiehistorie(omg, casus)
    assert g.soort == "regievoorstel_afgeweken"
    assert (g.gegevens["regel"], g.gegevens["voorstel_casusregie"], g.gegevens["casusregie"]) == (
        "jonge_kinderen_gezondheid",
        f"{JGZ}@jgz-limburg-noord",
        f"{WIJKTEAM}@wijkteam-venlo",
    )
    assert g.gegevens["reden"] == "vertrouwensrelatie"


# -- a running case keeps the version it started with -----------------------------------------------------------


def _versie_zonder_regels(tmp_path: Path) -> Path:
    data = _standaard()
    data["versie"] = "2022.4"
    del data["regievoorstellen"]
    pad = tmp_path / "venlo-2022.4.yaml"
    pad.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return pad


def test_a_case_started_under_2022_4_keeps_the_phase_defaults(
    omg: Omgeving, engine: Engine, klok: Klok, tmp_path: Path
) -> None:
    oud_omg = maak_omgeving(engine, klok, werkproces=_versie_zonder_regels(tmp_path))
    casus = _naar_ave_regie_bepalen(oud_omg, geboortedatum="2024-06-01", categorieen=["gezondheid"])
    # Now 2022.5 is in force; the old case decides under its own version: no proposal, the phase default.
    assert tijdlijn(omg, casus).werkproces == "venlo_convenant 2022.4"
    (taak,) = [t for t in postvak(omg, rol=SCHOOL, organisatie="school-de-wissel") if t.casus_ref == casus]
    assert taak.regievoorstel == []
    with pytest.raises(InvoerFout) as info:
        neem_besluit(
            omg,
            BesluitIn(
                casus_ref=casus, stap="ave_regie_bepalen", uitkomst="lokaal", ave_fase=2, regie_voorstel="aanvaard"
            ),
            als(SCHOOL),
        )
    assert info.value.veld == "regie_voorstel"
    besluit(omg, casus, "ave_regie_bepalen", "lokaal", SCHOOL, ave_fase=2)
    assert _overdrachten(omg) == [("casusregie", WIJKTEAM, "wijkteam-venlo")]  # not the JGZ rule of 2022.5
    assert _regiehistorie(omg, casus) == []

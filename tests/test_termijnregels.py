"""Issue 14: statutory terms cannot be stretched by suspending them, a suspension has its maximum, verlengen
states a reason, and an outcome that claims consent needs a consent in force."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from sqlalchemy import select

from aanpak.config import STANDAARD_WERKPROCES
from aanpak.omgeving import Omgeving
from aanpak.store.schema import Casus, Historie, Jeugdige
from aanpak.usecases import grondslag
from aanpak.usecases.termijnen import hervatten, opschorten, verlengen
from models.casus import Opschortreden, Verlengreden
from models.fouten import DefinitieFout, DomeinFout
from models.kalender import lokale_datum
from models.privacy import Grondslagsoort, vereiste_toestemming
from models.werkproces import laad_tekst
from tests.conftest import Klok
from tests.gegevens import als, besluit, signaleer
from tests.test_besluit import SCHOOL, VEILIG_THUIS, eind, neem, stap_rij, tel


def _historie(omg: Omgeving, casus_ref: str, soort: str) -> list[dict[str, Any]]:
    with omg.uow() as sessie:
        return [
            dict(h.gegevens)
            for h in sessie.scalars(
                select(Historie)
                .join(Casus, Casus.id == Historie.casus_id)
                .where(Casus.ref == casus_ref, Historie.soort == soort)
                .order_by(Historie.id)
            )
        ]


# -- opschorten ----------------------------------------------------------------------------------------------------


def test_the_statutory_meldcode_term_cannot_be_suspended(omg: Omgeving) -> None:
    casus = signaleer(omg).casus_ref
    besluit(omg, casus, "interne_weging", "meldcode", SCHOOL)
    voor = tel(omg)
    for rol in (VEILIG_THUIS, SCHOOL):  # neither the owner nor the casusregie
        with pytest.raises(DomeinFout, match="wettelijk") as info:
            opschorten(omg, casus, "meldcode_vt", Opschortreden.WACHT_OP_INFORMATIE, als(rol, "a.coord"))
        assert type(info.value) is DomeinFout
        assert info.value.veld == "stap"
    assert tel(omg) == voor
    rij = stap_rij(omg, casus, "meldcode_vt")
    assert (rij.status, rij.opgeschort_op, rij.termijn_einde) == ("open", None, eind(2026, 12, 8))


def test_a_suspension_never_moves_the_term_beyond_its_maximum(omg: Omgeving, klok: Klok) -> None:
    casus = signaleer(omg).casus_ref  # interne_weging: due Tuesday 8 December, suspendable for 10 werkdagen
    klok.zet(2026, 12, 3)  # Thursday
    opschorten(omg, casus, "interne_weging", Opschortreden.WACHT_OP_INFORMATIE, als(SCHOOL, "a.coord"))
    klok.zet(2026, 12, 24)  # 15 werkdagen later (Thu 3 .. Wed 23 December)
    hervat = hervatten(omg, casus, "interne_weging", als(SCHOOL, "a.coord"))

    assert hervat.werkdagen_opgeschort == 10  # not 15
    assert hervat.termijn_einde == eind(2026, 12, 22)  # Tuesday 8 December + 10 werkdagen
    rij = stap_rij(omg, casus, "interne_weging")
    assert (rij.opgeschort_werkdagen, rij.termijn_einde) == (10, eind(2026, 12, 22))
    assert [(h["werkdagen"], h["werkdagen_verstreken"]) for h in _historie(omg, casus, "stap_hervat")] == [(10, 15)]

    with pytest.raises(DomeinFout, match="maximum") as info:  # no room left: a new suspension is refused
        opschorten(omg, casus, "interne_weging", Opschortreden.OVERIG, als(SCHOOL, "a.coord"))
    assert info.value.veld == "stap"
    assert stap_rij(omg, casus, "interne_weging").status == "open"


def test_the_maximum_counts_all_suspensions_of_the_step(omg: Omgeving, klok: Klok) -> None:
    casus = signaleer(omg).casus_ref
    klok.zet(2026, 12, 2)  # Wednesday
    opschorten(omg, casus, "interne_weging", Opschortreden.WACHT_OP_INFORMATIE, als(SCHOOL, "a.coord"))
    klok.zet(2026, 12, 10)  # Wed 2 .. Wed 9: 6 werkdagen
    assert hervatten(omg, casus, "interne_weging", als(SCHOOL, "a.coord")).werkdagen_opgeschort == 6
    assert stap_rij(omg, casus, "interne_weging").termijn_einde == eind(2026, 12, 16)  # Tue 8 + 6

    opschorten(omg, casus, "interne_weging", Opschortreden.WACHT_OP_TOESTEMMING, als(SCHOOL, "a.coord"))
    klok.zet(2026, 12, 18)  # Thu 10 .. Thu 17: 6 werkdagen, only 4 left
    tweede = hervatten(omg, casus, "interne_weging", als(SCHOOL, "a.coord"))
    assert tweede.werkdagen_opgeschort == 4
    assert tweede.termijn_einde == eind(2026, 12, 22)  # Wed 16 + 4 werkdagen
    assert stap_rij(omg, casus, "interne_weging").opgeschort_werkdagen == 10


# -- verlengen -----------------------------------------------------------------------------------------------------


def test_verlengen_stores_its_reason(omg: Omgeving) -> None:
    casus = signaleer(omg).casus_ref
    verlengen(omg, casus, "interne_weging", 2, Verlengreden.OVERLEG_NODIG, als(SCHOOL, "a.coord"))
    assert [(h["aantal"], h["reden"]) for h in _historie(omg, casus, "stap_verlengd")] == [(2, "overleg_nodig")]


# -- an outcome that claims a ground -------------------------------------------------------------------------------


def _leg_toestemming_vast(omg: Omgeving, casus_ref: str) -> str:
    with omg.uow() as sessie:
        jeugdige = sessie.get(Jeugdige, sessie.scalar(select(Casus.jeugdige_id).where(Casus.ref == casus_ref)))
        assert jeugdige is not None
        leeftijd = grondslag.identiteit(omg, jeugdige).leeftijd_op(lokale_datum(omg.nu()))
    invoer = grondslag.GrondslagIn(
        casus_ref=casus_ref,
        soort=Grondslagsoort.TOESTEMMING,
        gegeven_door=sorted(vereiste_toestemming(leeftijd)),
        doel="casusoverleg",
    )
    return grondslag.leg_vast(omg, invoer, als(SCHOOL, "a.mentor")).grondslag_ref


def test_outcome_toestemming_is_refused_without_consent(omg: Omgeving) -> None:
    casus = signaleer(omg).casus_ref
    besluit(omg, casus, "interne_weging", "eigen_ondersteuning", SCHOOL)
    voor = tel(omg)
    with pytest.raises(DomeinFout, match="toestemming") as info:
        neem(omg, casus, "informeren_grondslag", "toestemming", SCHOOL)
    assert info.value.veld == "uitkomst"
    assert tel(omg) == voor
    assert stap_rij(omg, casus, "informeren_grondslag").status == "open"


def test_outcome_toestemming_is_accepted_with_consent_and_refused_again_once_withdrawn(omg: Omgeving) -> None:
    casus = signaleer(omg).casus_ref
    besluit(omg, casus, "interne_weging", "eigen_ondersteuning", SCHOOL)
    ref = _leg_toestemming_vast(omg, casus)
    grondslag.trek_in(omg, ref, als(SCHOOL, "a.mentor"))
    with pytest.raises(DomeinFout) as info:
        neem(omg, casus, "informeren_grondslag", "toestemming", SCHOOL)
    assert info.value.veld == "uitkomst"

    _leg_toestemming_vast(omg, casus)
    toegepast = besluit(omg, casus, "informeren_grondslag", "toestemming", SCHOOL)
    assert toegepast.gestarte_stappen == ["ave_regie_bepalen"]


# -- the definition ------------------------------------------------------------------------------------------------


def _definitie() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(STANDAARD_WERKPROCES.read_text(encoding="utf-8"))
    return data


def test_a_statutory_term_is_not_suspendable_unless_the_definition_says_so() -> None:
    data = _definitie()
    vt = next(s for s in data["stappen"] if s["key"] == "meldcode_vt")
    del vt["termijn"]["opschorting"]
    wp = laad_tekst(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "test.yaml")
    assert not wp.stap("meldcode_vt").termijn.opschortregel().toegestaan
    assert wp.stap("afstemming_na_match").termijn.opschortregel().toegestaan  # not statutory: no maximum
    assert wp.stap("afstemming_na_match").termijn.opschortregel().max_werkdagen is None
    assert wp.stap("interne_weging").termijn.opschortregel().max_werkdagen == 10
    uitkomst = wp.stap("informeren_grondslag").uitkomst("toestemming")
    assert uitkomst is not None
    assert uitkomst.vereist_grondslag == "toestemming"


@pytest.mark.parametrize(
    ("opschorting", "veld"),
    [
        ({"toegestaan": False, "max_werkdagen": 3}, "opschorting"),
        ({"toegestaan": True, "max_werkdagen": 0}, "max_werkdagen"),
        ({"max_werkdagen": 3}, "toegestaan"),
    ],
)
def test_an_invalid_suspension_rule_is_refused_naming_the_field(opschorting: dict[str, Any], veld: str) -> None:
    data = _definitie()
    data["versie"] = "2099.1"
    stap = next(s for s in data["stappen"] if s["key"] == "interne_weging")
    stap["termijn"]["opschorting"] = opschorting
    with pytest.raises(DefinitieFout) as info:
        laad_tekst(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "test.yaml")
    assert any(veld in pad for pad, _ in info.value.problemen), info.value.problemen


def test_an_outcome_claiming_an_unknown_ground_is_refused() -> None:
    data = _definitie()
    data["versie"] = "2099.1"
    stap = next(s for s in data["stappen"] if s["key"] == "informeren_grondslag")
    stap["uitkomsten"][1]["vereist_grondslag"] = "wettelijke_taak_of_zo"
    with pytest.raises(DefinitieFout) as info:
        laad_tekst(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "test.yaml")
    assert any("vereist_grondslag" in pad for pad, _ in info.value.problemen), info.value.problemen

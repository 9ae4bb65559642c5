"""The organisation register and binding to (organisation, role): school B never sees school A's case."""

from __future__ import annotations

import pytest

from aanpak.config import STANDAARD_ORGANISATIES, STANDAARD_WERKPROCES
from models import organisaties
from models.actor import Actor
from models.binding import controleer_actor, organisatie_voor, partijen_voor
from models.fouten import DefinitieFout, InvoerFout
from models.organisaties import Organisatieregister
from models.werkproces import Werkproces, laad_bestand

WP: Werkproces = laad_bestand(STANDAARD_WERKPROCES)[0]


def _register(tekst: str) -> Organisatieregister:
    return organisaties.laad_tekst(tekst, "test.yaml", WP)


def _paden(tekst: str) -> list[str]:
    with pytest.raises(DefinitieFout) as fout:
        _register(tekst)
    return [pad for pad, _ in fout.value.problemen]


def test_standaardregister_is_geldig_en_kent_de_partners() -> None:
    register = organisaties.laad_bestand(STANDAARD_ORGANISATIES, WP)
    assert register.van_type("school") == ["school-de-wissel", "school-het-baken"]
    for key in ("jgz-limburg-noord", "wijkteam-venlo", "gemeente-venlo", "zvhnl"):
        assert register.heeft(key)
    # every organisation type of the werkproces has at least one concrete partner
    assert {o.type for o in register.organisaties} == {o.key for o in WP.organisaties}


def test_onbekend_type_wordt_genoemd() -> None:
    assert _paden("organisaties:\n  - {key: a, naam: A, type: school}\n  - {key: b, naam: B, type: bakker}\n") == [
        "organisaties[1].type"
    ]


def test_dubbele_sleutel_wordt_genoemd() -> None:
    assert _paden("organisaties:\n  - {key: a, naam: A, type: school}\n  - {key: a, naam: B, type: jgz}\n") == [
        "organisaties[1].key"
    ]


def test_dubbele_brin_over_twee_scholen() -> None:
    tekst = (
        "organisaties:\n  - {key: a, naam: A, type: school, brin: 12AB}\n"
        "  - {key: b, naam: B, type: school, brin: 12AB}\n"
    )
    with pytest.raises(DefinitieFout) as fout:
        _register(tekst)
    assert [p for p, _ in fout.value.problemen] == ["organisaties[1].brin"]
    assert "12AB" not in str(fout.value)


@pytest.mark.parametrize(
    ("veld", "waarde"),
    [("oin", "'123'"), ("kvk", "'1234567'"), ("brin", "'1AB2'"), ("agb", "'1234567X'"), ("brin", "'12ab'")],
)
def test_misvormde_identificatie_noemt_het_veld(veld: str, waarde: str) -> None:
    tekst = (
        f"organisaties:\n  - {{key: a, naam: A, type: jgz}}\n  - {{key: b, naam: B, type: school, {veld}: {waarde}}}\n"
    )
    assert _paden(tekst) == [f"organisaties[1].{veld}"]


def test_ongeldig_kanaal_en_onbekend_veld() -> None:
    assert _paden("organisaties:\n  - {key: a, naam: A, type: jgz, kanalen: ['geen url']}\n") == [
        "organisaties[0].kanalen[0]"
    ]
    assert _paden("organisaties:\n  - {key: a, naam: A, type: jgz, telefoon: x}\n") == ["organisaties[0].telefoon"]


REGISTER = organisaties.laad_bestand(STANDAARD_ORGANISATIES, WP)


def test_actor_organisatie_moet_van_het_type_van_de_rol_zijn() -> None:
    controleer_actor(WP, REGISTER, Actor("a.mentor", "school-de-wissel", "school.zorgcoordinator"))
    with pytest.raises(InvoerFout) as fout:
        controleer_actor(WP, REGISTER, Actor("a.mentor", "jgz-limburg-noord", "school.zorgcoordinator"))
    assert fout.value.veld == "actor.organisatie"
    with pytest.raises(InvoerFout) as fout:
        controleer_actor(WP, REGISTER, Actor("a.mentor", "school-nergens", "school.zorgcoordinator"))
    assert fout.value.veld == "actor.organisatie"


def test_organisatie_voor_een_rol() -> None:
    # the case's involved organisation of the type wins; else the register's only one; else it must be named
    assert organisatie_voor(WP, REGISTER, "school.teamleider", ["school-het-baken"], None, "x") == "school-het-baken"
    assert organisatie_voor(WP, REGISTER, "wijkteam.casusregisseur", [], None, "x") == "wijkteam-venlo"
    with pytest.raises(InvoerFout) as fout:
        organisatie_voor(WP, REGISTER, "school.teamleider", [], None, "eigenaar_organisatie")
    assert fout.value.veld == "eigenaar_organisatie"
    with pytest.raises(InvoerFout):
        organisatie_voor(WP, REGISTER, "school.teamleider", [], "jgz-limburg-noord", "x")
    # a notification to a school role reaches only the school involved, and no school when none is
    assert [str(p) for p in partijen_voor(WP, REGISTER, "school.teamleider", ["school-de-wissel"])] == [
        "school.teamleider@school-de-wissel"
    ]
    assert partijen_voor(WP, REGISTER, "school.teamleider", []) == []

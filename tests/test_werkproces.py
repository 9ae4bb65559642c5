"""The default werkproces definition (aanpak/definities/venlo.yaml) and the validator (models/werkproces.py).

Part (a) pins the default: the step keys, roles and regie defaults other code relies on. Part (b) mutates a
copy of the default, one error class per test, and asserts the exact path and message a coordinator sees.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from models.fouten import DefinitieFout
from models.werkproces import Termijn, Werkproces, laad_bestand, laad_tekst

STANDAARD = Path(__file__).resolve().parents[1] / "aanpak" / "definities" / "venlo.yaml"

STAP_SLEUTELS = [
    "signaal_registreren",
    "interne_weging",
    "informeren_grondslag",
    "meldcode_vt",
    "afstemming_na_match",
    "ave_regie_bepalen",
    "casusoverleg",
    "plan_van_aanpak",
    "uitvoering_monitoring",
    "evaluatie",
    "op_afschalen",
    "nazorg",
    "afsluiting",
    "opschaling_overwegen",
]

ROLLEN = {
    "school.zorgcoordinator",
    "school.teamleider",
    "kinderopvang.aandachtsfunctionaris",
    "kinderopvang.leidinggevende",
    "jgz.jeugdverpleegkundige",
    "jgz.jeugdarts",
    "jgz.teamleider",
    "wijkteam.casusregisseur",
    "wijkteam.teamleider",
    "gemeente.procesregisseur",
    "gemeente.teamleider",
    "gemeente.burgemeester",
    "veilig_thuis.medewerker",
    "veilig_thuis.teamleider",
    "halt.medewerker",
    "halt.teamleider",
    "politie.wijkagent",
    "politie.teamchef",
    "om.officier",
    "om.teamleider",
    "leerplicht.ambtenaar",
    "leerplicht.teamleider",
    "zvhnl.procesregisseur",
    "zvhnl.manager",
}

ORGANISATIES = {
    "school",
    "kinderopvang",
    "jgz",
    "wijkteam",
    "gemeente",
    "veilig_thuis",
    "halt",
    "politie",
    "om",
    "leerplicht",
    "zvhnl",
}

#: The contract of the default graph: step → outcome → steps started.
OVERGANGEN: dict[str, dict[str, list[str]]] = {
    "signaal_registreren": {
        "geregistreerd": ["interne_weging"],
        "acuut": ["ave_regie_bepalen", "informeren_grondslag"],
    },
    "interne_weging": {
        "geen_zorg": ["afsluiting"],
        "eigen_ondersteuning": ["informeren_grondslag"],
        "meldcode": ["meldcode_vt", "informeren_grondslag"],
        "opschalen": ["informeren_grondslag"],
    },
    "informeren_grondslag": {
        "toestemming": ["ave_regie_bepalen"],
        "wettelijke_grondslag": ["ave_regie_bepalen"],
        "niet_informeren_veiligheid": ["ave_regie_bepalen"],
    },
    "meldcode_vt": {"terug_lokaal": [], "onderzoek_vt": [], "geen_vervolg": []},
    "afstemming_na_match": {"afgestemd": []},
    "ave_regie_bepalen": {"lokaal": ["casusoverleg"], "geen_vervolg": ["afsluiting"]},
    "casusoverleg": {"plan_opstellen": ["plan_van_aanpak"]},
    "plan_van_aanpak": {"vastgesteld": ["uitvoering_monitoring"]},
    "uitvoering_monitoring": {"evalueren": ["evaluatie"]},
    "evaluatie": {
        "voortzetten": ["uitvoering_monitoring"],
        "opschalen": ["op_afschalen"],
        "afschalen": ["op_afschalen"],
        "afsluiten": ["nazorg"],
    },
    "op_afschalen": {"opgeschaald": ["casusoverleg"], "afgeschaald": ["nazorg"]},
    "nazorg": {"afgerond": ["afsluiting"], "nieuw_signaal": ["interne_weging"]},
    "afsluiting": {"gesloten": []},
    "opschaling_overwegen": {"opschalen": ["casusoverleg"], "niet_opschalen": []},
}

NIET_VERLENGBAAR = "Value error, een wettelijke termijn kan niet verlengd worden (max_verlenging moet 0 zijn)"


# -- helpers -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def standaard() -> Werkproces:
    wp, _ = laad_bestand(STANDAARD)
    return wp


def _basis() -> dict[str, Any]:
    data = yaml.safe_load(STANDAARD.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _stap(data: dict[str, Any], key: str) -> tuple[int, dict[str, Any]]:
    for i, stap in enumerate(data["stappen"]):
        if stap["key"] == key:
            assert isinstance(stap, dict)
            return i, stap
    raise AssertionError(f"stap {key} ontbreekt in de standaarddefinitie")


def _uitkomst(stap: dict[str, Any], key: str) -> tuple[int, dict[str, Any]]:
    for j, uitkomst in enumerate(stap["uitkomsten"]):
        if uitkomst["key"] == key:
            assert isinstance(uitkomst, dict)
            return j, uitkomst
    raise AssertionError(f"uitkomst {key} ontbreekt in stap {stap['key']}")


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _fout(data: dict[str, Any]) -> DefinitieFout:
    with pytest.raises(DefinitieFout) as info:
        laad_tekst(_dump(data), "test.yaml")
    return info.value


def _alle_termijnen(wp: Werkproces) -> list[tuple[str, Termijn]]:
    termijnen: list[tuple[str, Termijn]] = [("overdracht.termijn", wp.overdracht.termijn)]
    for s in wp.stappen:
        termijnen.append((f"{s.key}.termijn", s.termijn))
        if s.termijn_acuut is not None:
            termijnen.append((f"{s.key}.termijn_acuut", s.termijn_acuut))
    return termijnen


# -- (a) the default definition ----------------------------------------------------------------------------


def test_the_default_loads_with_key_and_versie() -> None:
    wp, tekst = laad_bestand(STANDAARD)
    assert wp.key == "venlo_convenant"
    assert wp.versie == "2022.5"
    assert tekst == STANDAARD.read_text(encoding="utf-8")


def test_an_unchanged_copy_loads() -> None:
    """The mutation tests below start from this round trip; it must be clean, or they prove nothing."""
    wp = laad_tekst(_dump(_basis()), "test.yaml")
    assert [s.key for s in wp.stappen] == STAP_SLEUTELS


def test_the_default_has_the_agreed_steps(standaard: Werkproces) -> None:
    assert [s.key for s in standaard.stappen] == STAP_SLEUTELS


def test_the_default_transitions(standaard: Werkproces) -> None:
    gevonden = {s.key: {u.key: list(u.volgende) for u in s.uitkomsten} for s in standaard.stappen}
    assert gevonden == OVERGANGEN


def test_the_default_roles_and_organisaties(standaard: Werkproces) -> None:
    assert {o.key for o in standaard.organisaties} == ORGANISATIES
    assert {r.key for r in standaard.rollen} >= ROLLEN
    for r in standaard.rollen:
        assert r.key.split(".")[0] == r.organisatie, r.key


def test_every_organisatie_has_its_own_lead(standaard: Werkproces) -> None:
    for o in standaard.organisaties:
        assert o.leidinggevende is not None, o.key
        assert standaard.rol(o.leidinggevende).organisatie == o.key
    assert standaard.organisatie("school").leidinggevende == "school.teamleider"
    assert standaard.organisatie("zvhnl").leidinggevende == "zvhnl.manager"


def test_wettelijke_termijnen_cannot_be_extended(standaard: Werkproces) -> None:
    termijnen = _alle_termijnen(standaard)
    wettelijk = sorted(naam for naam, t in termijnen if t.wettelijk)
    assert wettelijk == ["meldcode_vt.termijn", "meldcode_vt.termijn_acuut"]
    for naam, t in termijnen:
        if t.wettelijk:
            assert t.max_verlenging == 0, naam
    for s in standaard.stappen:
        if not s.termijn.wettelijk:
            assert s.termijn.max_verlenging > 0, f"{s.key}: een afgesproken termijn mag verlengd worden"


def test_meldcode_vt_is_the_statutory_veiligheidsbeoordeling(standaard: Werkproces) -> None:
    stap = standaard.stap("meldcode_vt")
    assert stap.eigenaar == "veilig_thuis.medewerker"
    assert (stap.termijn.aantal, stap.termijn.eenheid.value) == (5, "werkdagen")
    assert stap.termijn.bron == "art. 4.1.1 lid 2 Wmo 2015 / D2"
    assert stap.termijn_acuut is not None
    assert (stap.termijn_acuut.aantal, stap.termijn_acuut.eenheid.value) == (24, "uren")
    assert stap.escalatie == "veiligheid"


@pytest.mark.parametrize(
    ("stap", "eigenaar", "aantal", "eenheid", "bron"),
    [
        ("signaal_registreren", "casusregie", 0, "werkdagen", "D1"),
        ("interne_weging", "casusregie", 5, "werkdagen", "D13"),
        ("afstemming_na_match", "casusregie", 5, "werkdagen", "D6"),
        ("casusoverleg", "procesregie", 10, "werkdagen", "D14"),
        ("plan_van_aanpak", "casusregie", 10, "werkdagen", "D15"),
        ("uitvoering_monitoring", "casusregie", 40, "werkdagen", "D16"),
        ("op_afschalen", "procesregie", 5, "werkdagen", "§2.3"),
        ("nazorg", "casusregie", 3, "maanden", "D17"),
    ],
)
def test_eigenaar_and_termijn(
    standaard: Werkproces, stap: str, eigenaar: str, aantal: int, eenheid: str, bron: str
) -> None:
    s = standaard.stap(stap)
    assert s.eigenaar == eigenaar
    assert (s.termijn.aantal, s.termijn.eenheid.value) == (aantal, eenheid)
    assert s.termijn.bron is not None
    assert bron in s.termijn.bron


def test_casusoverleg_acute_two_werkdagen(standaard: Werkproces) -> None:
    acuut = standaard.stap("casusoverleg").termijn_acuut
    assert acuut is not None
    assert (acuut.aantal, acuut.eenheid.value, acuut.wettelijk) == (2, "werkdagen", False)


def test_every_stap_is_fully_described(standaard: Werkproces) -> None:
    for s in standaard.stappen:
        assert s.naam.strip(), s.key
        assert s.omschrijving.strip(), s.key
        assert s.termijn.bron, s.key
        assert s.escalatie in standaard.escalatieladders, s.key
        assert s.herinnering_werkdagen is not None, s.key
        assert "eigenaar" in s.melden.bij_start, s.key
        assert s.melden.bij_afronding, s.key
        for u in s.uitkomsten:
            assert u.label.strip(), f"{s.key}.{u.key}"


def test_ave_decisions_and_closing(standaard: Werkproces) -> None:
    vraagt_ave = {(s.key, u.key) for s in standaard.stappen for u in s.uitkomsten if u.vraagt_ave}
    assert vraagt_ave == {
        ("ave_regie_bepalen", "lokaal"),
        ("ave_regie_bepalen", "geen_vervolg"),
        ("op_afschalen", "opgeschaald"),
        ("op_afschalen", "afgeschaald"),
        ("opschaling_overwegen", "opschalen"),
    }
    sluit = {(s.key, u.key) for s in standaard.stappen for u in s.uitkomsten if u.sluit_casus}
    assert sluit == {("afsluiting", "gesloten")}


def test_ave_phases_hold_the_regie_defaults(standaard: Werkproces) -> None:
    regie = {
        f.niveau: (f.casusregie, f.procesregie, f.bestuurlijk, f.monitoring_werkdagen) for f in standaard.ave_fasen
    }
    assert regie == {
        1: (None, None, None, None),
        2: ("wijkteam.casusregisseur", "gemeente.procesregisseur", None, 40),
        3: ("wijkteam.casusregisseur", "zvhnl.procesregisseur", None, 15),
        4: ("wijkteam.casusregisseur", "zvhnl.procesregisseur", "gemeente.burgemeester", 1),
    }
    assert standaard.fase(1).naam == "AVE 1 — groen"


def test_escalation_ladders(standaard: Werkproces) -> None:
    assert [(n.naar, n.na_werkdagen) for n in standaard.ladder("standaard")] == [
        ("eigenaar", 0),
        ("leidinggevende", 2),
        ("gemeente.procesregisseur", 5),
        ("zvhnl.procesregisseur", 10),
        ("gemeente.burgemeester", 20),
    ]
    veiligheid = [n.na_werkdagen for n in standaard.ladder("veiligheid")]
    assert veiligheid == sorted(veiligheid)
    assert veiligheid[-1] < standaard.ladder("standaard")[-1].na_werkdagen


def test_intake_overdracht_kalender_leeftijd(standaard: Werkproces) -> None:
    intake = standaard.intake
    assert (intake.stap, intake.uitkomst, intake.uitkomst_acuut, intake.bij_match) == (
        "signaal_registreren",
        "geregistreerd",
        "acuut",
        "afstemming_na_match",
    )
    termijn = standaard.overdracht.termijn
    assert (termijn.aantal, termijn.eenheid.value, standaard.overdracht.escalatie) == (
        2,
        "werkdagen",
        "standaard",
    )
    assert standaard.kalender.gelijkgestelde_dagen == []
    assert standaard.kalender.goede_vrijdag is True
    assert (standaard.leeftijd.minimum, standaard.leeftijd.maximum) == (0, 20)


def test_inzage_covers_owners_and_regie_holders(standaard: Werkproces) -> None:
    met_inzage = {i.rol for i in standaard.inzage}
    nodig = {s.eigenaar for s in standaard.stappen if s.eigenaar not in ("casusregie", "procesregie")}
    for f in standaard.ave_fasen:
        nodig |= {r for r in (f.casusregie, f.procesregie, f.bestuurlijk) if r is not None}
    assert nodig <= met_inzage
    assert {r.key for r in standaard.rollen} == met_inzage
    assert len(standaard.inzage) == len(met_inzage), "één regel per rol"


def test_inzage_need_to_know(standaard: Werkproces) -> None:
    per_rol = {i.rol: ({c.value for c in i.categorieen}, i.vanaf_ave) for i in standaard.inzage}
    assert per_rol["school.zorgcoordinator"] == ({"identiteit", "contact", "school", "plan"}, 1)
    alles = {"identiteit", "contact", "zorg", "gezondheid", "politie_justitie", "school", "plan"}
    assert per_rol["veilig_thuis.medewerker"] == (alles, 1)
    assert per_rol["politie.wijkagent"] == ({"identiteit", "contact", "politie_justitie"}, 2)
    assert per_rol["gemeente.burgemeester"][1] == 4
    # Domain §10: no police data for school/JGZ/Halt-care, no health data for police/OM.
    for rol in ("school.zorgcoordinator", "kinderopvang.aandachtsfunctionaris", "jgz.jeugdarts"):
        assert "politie_justitie" not in per_rol[rol][0], rol
    for rol in ("politie.wijkagent", "om.officier", "halt.medewerker", "school.zorgcoordinator"):
        assert "gezondheid" not in per_rol[rol][0], rol


# -- (b) definition errors: exact path and message ---------------------------------------------------------


def test_transition_to_an_unknown_stap() -> None:
    data = _basis()
    i, stap = _stap(data, "interne_weging")
    j, uitkomst = _uitkomst(stap, "meldcode")
    assert uitkomst["volgende"] == ["meldcode_vt", "informeren_grondslag"]
    uitkomst["volgende"][1] = "melding_oud"
    fout = _fout(data)
    assert (i, j) == (1, 2)
    assert fout.problemen == [("stappen[1].uitkomsten[2].volgende[1]", "overgang naar onbekende stap 'melding_oud'")]


def test_transition_to_an_unknown_stap_later_in_the_list() -> None:
    data = _basis()
    i, stap = _stap(data, "meldcode_vt")
    stap["uitkomsten"][0]["volgende"] = ["vt_onderzoek"]
    assert i == 3
    assert _fout(data).problemen == [
        ("stappen[3].uitkomsten[0].volgende[0]", "overgang naar onbekende stap 'vt_onderzoek'")
    ]


def test_unreachable_stap_without_match_intake() -> None:
    data = _basis()
    data["intake"]["bij_match"] = None
    i, _ = _stap(data, "afstemming_na_match")
    assert _fout(data).problemen == [(f"stappen[{i}]", "stap 'afstemming_na_match' is vanaf de intake niet bereikbaar")]
    assert i == 4


def test_unreachable_new_stap() -> None:
    data = _basis()
    _, afsluiting = _stap(data, "afsluiting")
    los = copy.deepcopy(afsluiting)
    los["key"] = "losse_stap"
    los["uitkomsten"][0]["sluit_casus"] = False
    data["stappen"].append(los)
    assert _fout(data).problemen == [("stappen[14]", "stap 'losse_stap' is vanaf de intake niet bereikbaar")]


def test_stap_without_eigenaar() -> None:
    data = _basis()
    i, stap = _stap(data, "plan_van_aanpak")
    del stap["eigenaar"]
    assert _fout(data).problemen == [(f"stappen[{i}].eigenaar", "Field required")]
    assert i == 7


def test_stap_with_an_empty_eigenaar() -> None:
    data = _basis()
    i, stap = _stap(data, "casusoverleg")
    stap["eigenaar"] = ""
    problemen = _fout(data).problemen
    assert [pad for pad, _ in problemen] == [f"stappen[{i}].eigenaar"]
    assert problemen[0][1].startswith("String should match pattern")


def test_loop_without_exit_between_two_new_steps() -> None:
    data = _basis()
    _, match = _stap(data, "afstemming_na_match")
    match["uitkomsten"].append({"key": "doorverwezen", "label": "Doorverwezen", "volgende": ["lus_a"]})
    _, sjabloon = _stap(data, "afstemming_na_match")
    for key, ander in (("lus_a", "lus_b"), ("lus_b", "lus_a")):
        stap = copy.deepcopy(sjabloon)
        stap["key"] = key
        stap["uitkomsten"] = [{"key": "door", "label": "Door", "volgende": [ander]}]
        data["stappen"].append(stap)
    assert _fout(data).problemen == [
        ("stappen[14]", "lus zonder uitgang: vanaf stap 'lus_a' eindigt de casus nooit"),
        ("stappen[15]", "lus zonder uitgang: vanaf stap 'lus_b' eindigt de casus nooit"),
    ]


def test_loop_without_exit_between_uitvoering_and_evaluatie() -> None:
    """Evaluatie can only say 'voortzetten': the plan cycle never ends, and what followed it is cut off."""
    data = _basis()
    _, evaluatie = _stap(data, "evaluatie")
    evaluatie["uitkomsten"] = [u for u in evaluatie["uitkomsten"] if u["key"] == "voortzetten"]
    assert _fout(data).problemen == [
        ("stappen[10]", "stap 'op_afschalen' is vanaf de intake niet bereikbaar"),
        ("stappen[11]", "stap 'nazorg' is vanaf de intake niet bereikbaar"),
        ("stappen[6]", "lus zonder uitgang: vanaf stap 'casusoverleg' eindigt de casus nooit"),
        ("stappen[7]", "lus zonder uitgang: vanaf stap 'plan_van_aanpak' eindigt de casus nooit"),
        ("stappen[8]", "lus zonder uitgang: vanaf stap 'uitvoering_monitoring' eindigt de casus nooit"),
        ("stappen[9]", "lus zonder uitgang: vanaf stap 'evaluatie' eindigt de casus nooit"),
    ]


def test_no_uitkomst_closes_the_casus() -> None:
    data = _basis()
    _, stap = _stap(data, "afsluiting")
    stap["uitkomsten"][0]["sluit_casus"] = False
    assert _fout(data).problemen == [("stappen", "geen enkele uitkomst sluit de casus (sluit_casus: true)")]


def test_unknown_rol_as_eigenaar() -> None:
    data = _basis()
    i, stap = _stap(data, "interne_weging")
    stap["eigenaar"] = "school.mentor"
    assert _fout(data).problemen == [(f"stappen[{i}].eigenaar", "onbekende rol 'school.mentor'")]


@pytest.mark.parametrize("token", ["eigenaar", "leidinggevende", "melders"])
def test_a_recipient_token_is_no_eigenaar(token: str) -> None:
    data = _basis()
    i, stap = _stap(data, "evaluatie")
    stap["eigenaar"] = token
    assert _fout(data).problemen == [(f"stappen[{i}].eigenaar", f"onbekende rol '{token}'")]


def test_unknown_rol_in_an_escalation_ladder() -> None:
    data = _basis()
    data["escalatieladders"]["standaard"][2]["naar"] = "gemeente.regisseur"
    assert _fout(data).problemen == [("escalatieladders.standaard[2].naar", "onbekende rol 'gemeente.regisseur'")]


def test_melders_cannot_be_in_an_escalation_ladder() -> None:
    data = _basis()
    data["escalatieladders"]["veiligheid"][0]["naar"] = "melders"
    assert _fout(data).problemen == [("escalatieladders.veiligheid[0].naar", "onbekende rol 'melders'")]


@pytest.mark.parametrize("soort", ["bij_start", "bij_afronding"])
def test_unknown_rol_in_melden(soort: str) -> None:
    data = _basis()
    i, stap = _stap(data, "casusoverleg")
    stap["melden"][soort].append("ggd.arts")
    j = len(stap["melden"][soort]) - 1
    assert _fout(data).problemen == [(f"stappen[{i}].melden.{soort}[{j}]", "onbekende rol 'ggd.arts'")]


def test_unknown_rol_in_an_ave_phase() -> None:
    data = _basis()
    data["ave_fasen"][2]["procesregie"] = "zvh.procesregisseur"
    assert _fout(data).problemen == [("ave_fasen[2].procesregie", "onbekende rol 'zvh.procesregisseur'")]


def test_unknown_rol_in_inzage() -> None:
    data = _basis()
    data["inzage"][0]["rol"] = "school.mentor"
    assert _fout(data).problemen == [("inzage[0].rol", "onbekende rol 'school.mentor'")]


def test_unknown_lead_of_an_organisatie() -> None:
    data = _basis()
    data["organisaties"][0]["leidinggevende"] = "school.directeur"
    assert _fout(data).problemen == [("organisaties[0].leidinggevende", "onbekende rol 'school.directeur'")]


def test_rol_of_an_unknown_organisatie() -> None:
    data = _basis()
    data["rollen"][0]["organisatie"] = "samenwerkingsverband"
    assert _fout(data).problemen == [("rollen[0].organisatie", "onbekende organisatie 'samenwerkingsverband'")]


def test_unknown_escalation_ladder_in_a_stap() -> None:
    data = _basis()
    i, stap = _stap(data, "meldcode_vt")
    stap["escalatie"] = "spoed"
    assert _fout(data).problemen == [(f"stappen[{i}].escalatie", "onbekende escalatieladder 'spoed'")]


def test_unknown_escalation_ladder_in_an_overdracht() -> None:
    data = _basis()
    data["overdracht"]["escalatie"] = "spoed"
    assert _fout(data).problemen == [("overdracht.escalatie", "onbekende escalatieladder 'spoed'")]


def test_an_escalation_ladder_must_ascend() -> None:
    data = _basis()
    data["escalatieladders"]["standaard"][2]["na_werkdagen"] = 1
    assert _fout(data).problemen == [("escalatieladders.standaard[2].na_werkdagen", "niveaus moeten oplopen")]


def test_an_empty_escalation_ladder() -> None:
    data = _basis()
    data["escalatieladders"]["leeg"] = []
    assert _fout(data).problemen == [("escalatieladders.leeg", "een ladder heeft minstens één niveau")]


def test_duplicate_stap_key() -> None:
    data = _basis()
    _, afsluiting = _stap(data, "afsluiting")
    data["stappen"].append(copy.deepcopy(afsluiting))
    assert _fout(data).problemen == [("stappen", "dubbele sleutel(s): afsluiting")]


def test_duplicate_rol_and_organisatie() -> None:
    data = _basis()
    data["organisaties"].append(copy.deepcopy(data["organisaties"][1]))
    data["rollen"].append(copy.deepcopy(data["rollen"][0]))
    assert _fout(data).problemen == [
        ("organisaties", "dubbele sleutel(s): kinderopvang"),
        ("rollen", "dubbele sleutel(s): school.zorgcoordinator"),
    ]


def test_duplicate_uitkomst() -> None:
    data = _basis()
    i, stap = _stap(data, "nazorg")
    stap["uitkomsten"][1]["key"] = "afgerond"
    assert _fout(data).problemen == [(f"stappen[{i}].uitkomsten", "dubbele uitkomst(en): afgerond")]


def test_wettelijke_termijn_with_extension() -> None:
    data = _basis()
    i, stap = _stap(data, "meldcode_vt")
    assert stap["termijn"]["wettelijk"] is True
    stap["termijn"]["max_verlenging"] = 5
    assert _fout(data).problemen == [(f"stappen[{i}].termijn", NIET_VERLENGBAAR)]
    assert i == 3


def test_wettelijke_acute_termijn_with_extension() -> None:
    data = _basis()
    i, stap = _stap(data, "meldcode_vt")
    stap["termijn_acuut"]["max_verlenging"] = 12
    assert _fout(data).problemen == [(f"stappen[{i}].termijn_acuut", NIET_VERLENGBAAR)]


def test_invalid_yaml() -> None:
    with pytest.raises(DefinitieFout) as info:
        laad_tekst("key: venlo_convenant\nstappen: [signaal_registreren\n", "test.yaml")
    assert [pad for pad, _ in info.value.problemen] == ["(yaml)"]
    assert info.value.problemen[0][1]
    assert info.value.bron == "test.yaml"


def test_not_a_mapping() -> None:
    with pytest.raises(DefinitieFout) as info:
        laad_tekst("- stap\n- stap\n", "test.yaml")
    assert [pad for pad, _ in info.value.problemen] == ["(root)"]


def test_unknown_field_in_a_stap() -> None:
    data = _basis()
    i, stap = _stap(data, "ave_regie_bepalen")
    stap["deadline"] = "morgen"
    assert _fout(data).problemen == [(f"stappen[{i}].deadline", "Extra inputs are not permitted")]
    assert i == 5


def test_unknown_field_at_top_level_and_in_termijn() -> None:
    data = _basis()
    data["eigenaar"] = "gemeente"
    data["overdracht"]["termijn"]["dagen"] = 2
    assert sorted(_fout(data).problemen) == [
        ("eigenaar", "Extra inputs are not permitted"),
        ("overdracht.termijn.dagen", "Extra inputs are not permitted"),
    ]


def test_unknown_stap_and_uitkomst_in_intake() -> None:
    data = _basis()
    data["intake"]["uitkomst_acuut"] = "spoed"
    data["intake"]["bij_match"] = "match"
    assert _fout(data).problemen == [
        ("intake.uitkomst_acuut", "stap 'signaal_registreren' kent geen uitkomst 'spoed'"),
        ("intake.bij_match", "onbekende stap 'match'"),
    ]


def test_intake_to_an_unknown_stap() -> None:
    data = _basis()
    data["intake"]["stap"] = "signaal"
    assert _fout(data).problemen == [("intake.stap", "onbekende stap 'signaal'")]


def test_ave_phases_must_be_1_to_4() -> None:
    data = _basis()
    data["ave_fasen"][3]["niveau"] = 3
    assert _fout(data).problemen == [("ave_fasen", "precies de fasen 1, 2, 3 en 4 zijn nodig")]


def test_leeftijd_maximum_below_minimum() -> None:
    data = _basis()
    data["leeftijd"] = {"minimum": 12, "maximum": 4}
    assert _fout(data).problemen == [("leeftijd.maximum", "kleiner dan leeftijd.minimum")]


def test_versie_without_quotes_is_refused() -> None:
    tekst = STANDAARD.read_text(encoding="utf-8").replace('versie: "2022.5"', "versie: 2022.5", 1)
    assert 'versie: "2022.5"' not in tekst
    with pytest.raises(DefinitieFout) as info:
        laad_tekst(tekst, "test.yaml")
    assert [pad for pad, _ in info.value.problemen] == ["versie"]


def test_error_names_file_path_and_problem() -> None:
    data = _basis()
    i, stap = _stap(data, "meldcode_vt")
    stap["escalatie"] = "spoed"
    fout = _fout(data)
    assert fout.bron == "test.yaml"
    assert str(fout) == (
        f"werkproces-definitie test.yaml is ongeldig:\n  stappen[{i}].escalatie: onbekende escalatieladder 'spoed'"
    )


def test_laad_bestand_names_the_path(tmp_path: Path) -> None:
    data = _basis()
    data["intake"]["stap"] = "signaal"
    pad = tmp_path / "kapot.yaml"
    pad.write_text(_dump(data), encoding="utf-8")
    with pytest.raises(DefinitieFout) as info:
        laad_bestand(pad)
    assert info.value.bron == str(pad)
    assert str(pad) in str(info.value)
    assert "intake.stap: onbekende stap 'signaal'" in str(info.value)

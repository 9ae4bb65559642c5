"""Templates: every kind the code base writes has a Dutch template, and none can leak the child's data.

Every template is rendered from the real case store with the sentinel youth in the case (and sentinel values
smuggled into the outbox row's ``gegevens``); no sentinel may appear. The real notifications of a sentinel case
are also delivered to the local mailbox folder and the files searched.
"""

from __future__ import annotations

import ast
import importlib
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from aanpak.meldingen import kanalen as kanaalconfig
from aanpak.meldingen.inhoud import inhoud_van, kenmerk_van
from aanpak.meldingen.instellingen import Beleid
from aanpak.meldingen.sjablonen import SJABLONEN, maak_bericht
from aanpak.omgeving import Omgeving
from aanpak.store.schema import Bezorging, Casus, Melding, Overdracht
from aanpak.usecases import bezorging
from aanpak.usecases.bewaking import bewaak
from models.meldingen import Meldingsoort
from tests.conftest import Klok
from tests.gegevens import SENTINEL_ADRES, SENTINEL_NAAM, SENTINEL_ZORG, SENTINELS, besluit, signaleer

WORTEL = Path(__file__).resolve().parents[1]
VERBODEN = [*SENTINELS, SENTINEL_NAAM, SENTINEL_ADRES, SENTINEL_ZORG, "17-03-2014", "5911 AA"]


#: The functions that write outbox rows, with the position of their kind argument.
SCHRIJVERS = {"meld": 3, "leg_vast_en_meld": 5}


def _doorgegeven(boom: ast.Module) -> set[int]:
    """Ids of the arguments that only pass on a parameter of the enclosing function (its callers are scanned)."""
    ids: set[int] = set()
    for functie in ast.walk(boom):
        if isinstance(functie, ast.FunctionDef | ast.AsyncFunctionDef):
            namen = {a.arg for a in (*functie.args.posonlyargs, *functie.args.args, *functie.args.kwonlyargs)}
            ids |= {id(n) for n in ast.walk(functie) if isinstance(n, ast.Name) and n.id in namen}
    return ids


def geschreven_soorten() -> set[str]:
    """Every kind passed to ``meld(...)`` or ``leg_vast_en_meld(...)`` anywhere in the application (string literal,
    module constant or ``Meldingsoort`` member), and every ``Meldingsoort`` member the application names outside
    the templates themselves."""
    soorten: set[str] = set()
    for pad in (WORTEL / "aanpak").rglob("*.py"):
        boom = ast.parse(pad.read_text(encoding="utf-8"))
        doorgegeven = _doorgegeven(boom)
        for knoop in ast.walk(boom):
            if (
                pad.name != "sjablonen.py"
                and isinstance(knoop, ast.Attribute)
                and isinstance(knoop.value, ast.Name)
                and knoop.value.id == "Meldingsoort"
            ):
                soorten.add(Meldingsoort[knoop.attr].value)
            if not (isinstance(knoop, ast.Call) and isinstance(knoop.func, ast.Name) and knoop.func.id in SCHRIJVERS):
                continue
            plek = SCHRIJVERS[knoop.func.id]
            if len(knoop.args) <= plek:
                continue
            arg = knoop.args[plek]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                soorten.add(arg.value)
            elif isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name) and arg.value.id == "Meldingsoort":
                pass  # counted above
            elif isinstance(arg, ast.Name) and id(arg) in doorgegeven:
                pass  # a parameter passed on
            elif isinstance(arg, ast.Name):
                module = ".".join(pad.relative_to(WORTEL).with_suffix("").parts)
                soorten.add(getattr(importlib.import_module(module), arg.id))
            else:
                soorten.add(f"<onleesbaar in {pad.name}:{knoop.lineno}>")
    return soorten


def test_every_kind_written_has_a_template() -> None:
    soorten = geschreven_soorten()
    assert {"stap_gestart", "match", "bezorging_mislukt"} <= soorten  # the scan itself works
    assert soorten <= set(SJABLONEN), f"zonder sjabloon: {sorted(soorten - set(SJABLONEN))}"
    assert set(Meldingsoort) <= set(SJABLONEN)


def _gegevens(soort: str, eigenaar: str, overdracht_ref: str, signaal_ref: str) -> list[dict[str, Any]]:
    """Realistic ``gegevens`` per kind (several variants), each with sentinel values under other keys."""
    gif = {"naam": SENTINEL_NAAM, "zorg": SENTINEL_ZORG, "adres": SENTINEL_ADRES, "bsn": SENTINELS[2]}
    varianten: dict[str, list[dict[str, Any]]] = {
        "stap_gestart": [{"eigenaar": eigenaar}, {"eigenaar": "wijkteam.casusregisseur"}],
        "stap_afgerond": [{"uitkomst": "eigen_ondersteuning"}],
        "match": [{"signaal": signaal_ref, "melder_rol": "jgz.jeugdverpleegkundige"}],
        "overdracht_aangeboden": [
            {"overdracht": overdracht_ref, "soort": "casusregie", "van_rol": eigenaar, "naar_rol": eigenaar},
            {"overdracht": overdracht_ref, "soort": "casusregie", "van_rol": eigenaar, "naar_rol": "om.officier"},
        ],
        "overdracht_geaccepteerd": [{"overdracht": overdracht_ref, "soort": "casusregie", "naar_rol": eigenaar}],
        "te_laat": [{}, {"overdracht": overdracht_ref}],
        "termijn_gewijzigd": [{}],
        "herinnering": [{}],
        "escalatie": [
            {"niveau": 2, "eigenaar": eigenaar},
            {"niveau": 1, "eigenaar": "wijkteam.casusregisseur"},
            {"niveau": 3, "overdracht": overdracht_ref, "eigenaar": eigenaar},
        ],
        "stagnatie": [{"ave": 2, "oorzaak": "interne_weging"}, {"ave": 3, "oorzaak": "overdracht"}],
        "bezorging_mislukt": [
            {
                "ontvanger": "school.teamleider",
                "kanaal": "school/json",
                "oorspronkelijk": "stap_gestart",
                "pogingen": 16,
                "melding": 7,
            }
        ],
    }
    return [{**gif, **v} for v in varianten.get(soort, [{}])]


def test_every_template_without_personal_data(omg: Omgeving, klok: Klok) -> None:
    eerste = signaleer(omg)  # the sentinel youth
    klok.verder(days=1)
    tweede = signaleer(omg, rol="jgz.jeugdverpleegkundige", bsn=None)  # same youth: a match
    assert tweede.casus_ref == eerste.casus_ref
    besluit(omg, eerste.casus_ref, "afstemming_na_match", "afgestemd", "school.zorgcoordinator")
    eigenaar = "school.zorgcoordinator"
    gerenderd = 0
    with omg.uow() as sessie:
        casus = sessie.scalars(select(Casus).where(Casus.ref == eerste.casus_ref)).one()
        overdracht_ref = sessie.scalar(select(Overdracht.ref)) or "O-TESTTEST"
        for soort in sorted(set(SJABLONEN) | {"onbekende_soort"}):
            for n, gegevens in enumerate(_gegevens(soort, eigenaar, overdracht_ref, tweede.signaal_ref)):
                for rol in (eigenaar, "jgz.jeugdverpleegkundige", "om.officier"):
                    m = Melding(
                        sleutel=f"{casus.ref}:test:{soort}:{n}:{rol}",
                        casus_id=casus.id,
                        soort=soort,
                        ontvanger_rol=rol,
                        stap_key="interne_weging" if soort not in ("match", "overdracht_aangeboden") else None,
                        termijn_einde=klok() + timedelta(days=3) if soort != "match" else None,
                        gegevens=gegevens,
                        status="wachtend",
                        pogingen=0,
                        volgende_poging=klok(),
                        aangemaakt_op=klok(),
                    )
                    b = maak_bericht(inhoud_van(omg, sessie, m, klok(), "https://aanpak.venlo.example/casus"))
                    alles = b.titel + "\n" + b.tekst
                    for s in VERBODEN:
                        assert s not in alles, f"{s!r} in sjabloon {soort} ({rol}):\n{alles}"
                    assert casus.ref in b.titel
                    assert f"Kenmerk: {kenmerk_van(m)}" in b.tekst
                    assert f"https://aanpak.venlo.example/casus/{casus.ref}" in b.tekst
                    if m.termijn_einde is not None and soort in ("stap_gestart", "herinnering", "termijn_gewijzigd"):
                        assert re.search(r"Uiterlijk: \d{2}-\d{2}-\d{4} \((nog \d+ werkdag|vandaag)", b.tekst)
                    if soort == "match":
                        # The other professional's contact is the point of a match message.
                        assert "Mw. P. Melder" in b.tekst
                        assert "077-0000000" in b.tekst
                    gerenderd += 1
    assert gerenderd >= 3 * len(SJABLONEN)


def test_texts_name_the_concrete_organisation_not_the_type(omg: Omgeving, klok: Klok) -> None:
    """Who must act is the organisation of the register ("Basisschool De Wissel"), in every kind written."""
    casus = signaleer(omg).casus_ref
    besluit(omg, casus, "interne_weging", "eigen_ondersteuning", "school.zorgcoordinator")
    besluit(omg, casus, "informeren_grondslag", "wettelijke_grondslag", "school.zorgcoordinator")
    besluit(omg, casus, "ave_regie_bepalen", "lokaal", "school.zorgcoordinator", ave_fase=2, regie_voorstel="aanvaard")
    klok.verder(days=30)
    bewaak(omg)  # reminders and escalations of the late steps and the handoff
    typen = ("Scholen PO/SO/VO", "Sociale basis / wijkteam — Incluzio", "Gemeente Venlo — procesregie en OOV")
    gezien: set[str] = set()
    with omg.uow() as sessie:
        for m in sessie.scalars(select(Melding).order_by(Melding.id)):
            b = maak_bericht(inhoud_van(omg, sessie, m, klok(), ""))
            for t in typen:
                assert t not in b.tekst, (m.soort, b.tekst)
            gezien.add(m.soort)
            if (m.ontvanger_rol, m.ontvanger_organisatie) == ("school.zorgcoordinator", "school-de-wissel"):
                assert "Aan: Zorgcoördinator / intern begeleider (Basisschool De Wissel)" in b.tekst
            if m.soort == "overdracht_aangeboden" and m.ontvanger_rol == "school.zorgcoordinator":
                assert "aangeboden aan Casusregisseur wijkteam (Sociale basis / wijkteam Venlo — Incluzio)" in b.tekst
            if m.soort == "escalatie" and "eigenaar: " in b.tekst:
                eigenaar = b.tekst.split("eigenaar: ", 1)[1].split(")", 1)[0]
                assert eigenaar.split("(")[-1] in {"Basisschool De Wissel", "Gemeente Venlo"}, b.tekst
    assert {"stap_gestart", "stap_afgerond", "overdracht_aangeboden", "escalatie"} <= gezien


def test_real_meldingen_in_the_postvak_without_personal_data(omg: Omgeving, klok: Klok, tmp_path: Path) -> None:
    eerste = signaleer(omg)
    klok.verder(days=1)
    signaleer(omg, rol="jgz.jeugdverpleegkundige", bsn=None)
    besluit(omg, eerste.casus_ref, "afstemming_na_match", "afgestemd", "school.zorgcoordinator")
    besluit(omg, eerste.casus_ref, "interne_weging", "eigen_ondersteuning", "school.zorgcoordinator")
    postvak = tmp_path / "postvak"
    k = kanaalconfig.Kanalen(
        (kanaalconfig.Kanaal("postvak", "postvak", frozenset({"alle"}), kanaalconfig.postvak_url(postvak)),), "test"
    )
    verslag = bezorging.bezorg(omg, k, Beleid())
    bestanden = sorted(postvak.rglob("*.txt"))
    with omg.uow() as sessie:
        aantal = len(sessie.scalars(select(Melding)).all())
    assert verslag.verzonden == aantal == len(bestanden) > 5
    for pad in bestanden:
        inhoud = pad.read_text(encoding="utf-8")
        assert inhoud.startswith(f"Onderwerp: [aanpak {eerste.casus_ref}]")
        for s in VERBODEN:
            assert s not in inhoud, f"{s!r} in {pad.relative_to(postvak)}"
    assert {p.parent.name for p in bestanden} >= {"school.zorgcoordinator", "jgz.jeugdverpleegkundige"}
    # A resend of the same notification replaces its file: the folder deduplicates on the key.
    with omg.uow() as sessie:
        sessie.execute(update(Bezorging).values(status="wachtend", volgende_poging=klok()))
    assert bezorging.bezorg(omg, k, Beleid()).verzonden == aantal
    assert sorted(postvak.rglob("*.txt")) == bestanden

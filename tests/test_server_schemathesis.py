"""schemathesis over the server's own OpenAPI spec: no 500, every refusal problem details, no personal data leaks.

The spec is loaded from the real app (``/api/v1/openapi.json`` over ASGI); every operation gets cases that fit
the spec and cases that do not (schemathesis' positive and negative generation), sent with a valid token of
one of a few roles — or none — and, in half the cases, with a real case's references in the path instead of
generated ones; every case is also sent as school A on its own case, the caller who reaches deepest. Before
fuzzing, school A registers a signal with sentinel personal data (tests/gegevens.py).
Then for every response: the status is below 500; a 4xx is ``application/problem+json`` with its status; and
neither the sentinels nor a submitted text value appear in it, except in the answer of an authorised
need-to-know read (the coordinator's inzage, the privacyloket's dossier and BSN search).

Deterministic: Hypothesis derandomized (a fixed seed per operation), no example database, a bounded number of
examples per operation. The store is a real SQLite file; the verifier fetches real keys from the fake IdP.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from aanpak.server import problemen
from aanpak.server.app import maak_app
from models.fouten import _REDENEN
from tests.conftest import Klok, gemigreerde_sqlite, maak_omgeving
from tests.gegevens import SENTINEL_BSN, SENTINELS, signaal_document
from tests.server_hulp import Klant, Uitgever
from tests.test_server import zonder_prefect

__all__ = ["zonder_prefect"]  # the fixture, used by name

V1 = "/api/v1"
PROBLEEM = "application/problem+json"
#: Examples per operation and generation mode: enough to reach every refusal path, small enough for a 2-core box.
VOORBEELDEN = 5
#: Who calls: (role, organisation) or None for no token at all.
BELLERS: list[tuple[str, str] | None] = [
    ("school.zorgcoordinator", "school-de-wissel"),
    ("school.zorgcoordinator", "school-het-baken"),
    ("wijkteam.casusregisseur", "wijkteam-venlo"),
    ("gemeente.privacyloket", "gemeente-venlo"),
    None,
]
#: Operations whose 200 answer is personal data by design, to a caller the server has authorised.
NEED_TO_KNOW = {
    ("POST", "/api/v1/casussen/{casus_ref}/inzage"),
    ("POST", "/api/v1/rechten/casussen/{casus_ref}/inzage"),
    ("POST", "/api/v1/rechten/zoek"),
}
_REF = re.compile(r"^[A-Z]-[0-9A-Z]{4,12}$")


def _teksten(waarde: Any) -> Iterator[str]:
    if isinstance(waarde, str):
        yield waarde
    elif isinstance(waarde, dict):
        for k, v in waarde.items():
            yield from _teksten(k)
            yield from _teksten(v)
    elif isinstance(waarde, list):
        for v in waarde:
            yield from _teksten(v)


def _ingestuurd(case: Any) -> list[str]:
    """Submitted texts (as the server strips them) that would be an echo if answered back; references may be."""
    waarden = [w.strip() for w in (*_teksten(case.body), *_teksten(case.query or {}))]
    return [w for w in waarden if w and not _REF.match(w)]


def test_schemathesis_vindt_geen_500_geen_kale_fout_en_geen_lek(
    tmp_path: Path, sqlite_sjabloon: Path, klok: Klok, zonder_prefect: None
) -> None:
    engine = gemigreerde_sqlite(sqlite_sjabloon, tmp_path / "aanpak.db")
    omg = maak_omgeving(engine, klok)
    uitgever = Uitgever()
    app = maak_app(omg, uitgever.verificateur())
    klant = Klant(app)
    school_a = {"Authorization": f"Bearer {uitgever.token('a.mentor', 'school-de-wissel', ['school.zorgcoordinator'])}"}
    geregistreerd = klant.post(f"{V1}/signalen", headers=school_a, json=signaal_document())
    assert geregistreerd.status_code == 201, geregistreerd.text
    casus = geregistreerd.json()["casus_ref"]
    grondslag = klant.post(
        f"{V1}/casussen/{casus}/grondslagen",
        headers=school_a,
        json={"soort": "wettelijke_taak", "doel": "casusoverleg"},
    ).json()["grondslag_ref"]
    echt = {"casus_ref": casus, "grondslag_ref": grondslag, "stap": "interne_weging", "overdracht_ref": "O-00000000"}

    schema = schemathesis.openapi.from_asgi(f"{V1}/openapi.json", app)
    # What may stand in a refusal whatever was sent: the spec and the server's fixed problem texts.
    spec_tekst = json.dumps([app.openapi(), problemen._SOORTEN, _REDENEN, problemen.GEMASKEERD])
    # What a refusal may quote: the keys and texts of the werkproces and the organisation register.
    definitie = set(_teksten(omg.werkprocessen.bestand()[0].model_dump(mode="json")))
    definitie |= set(_teksten(omg.werkprocessen.register().model_dump(mode="json")))
    gevonden: list[str] = []
    bekeken: dict[str, int] = {}

    def controleer(case: Any, beller: tuple[str, str] | None, met_echte_refs: bool) -> None:
        sleutel = f"{case.operation.method.upper()} {case.operation.path}"
        if met_echte_refs:
            for naam in case.path_parameters:
                case.path_parameters[naam] = echt.get(naam, case.path_parameters[naam])
        headers: dict[str, str] = {}
        if beller is not None:
            rol, organisatie = beller
            headers["Authorization"] = f"Bearer {uitgever.token('t.fuzz', organisatie, [rol])}"
            if met_echte_refs:
                headers["X-Aanpak-Rol"] = rol
        r = case.call(headers=headers)
        bekeken[sleutel] = bekeken.get(sleutel, 0) + 1
        tekst = r.content.decode("utf-8", "replace")
        waar = f"{sleutel} {r.status_code} als {beller}"
        if r.status_code >= 500:
            gevonden.append(f"{waar}: 5xx {tekst[:300]}")
            return
        if r.status_code >= 400:
            soort = r.headers.get("content-type") or [""]
            if (soort[0] if isinstance(soort, list) else soort) != PROBLEEM:
                gevonden.append(f"{waar}: geen problem details: {soort}")
            else:
                inhoud = json.loads(tekst)
                if inhoud.get("status") != r.status_code or not str(inhoud.get("type", "")).startswith("urn:aanpak"):
                    gevonden.append(f"{waar}: onvolledige problem details {tekst[:200]}")
            # Compared with the decoded answer: JSON escapes control characters a raw search would miss.
            leesbaar = "\n".join(_teksten(json.loads(tekst))) if tekst.startswith("{") else tekst
            for waarde in _ingestuurd(case):
                if (len(waarde) >= 8 and waarde in leesbaar and waarde not in spec_tekst) or (
                    f"'{waarde}'" in leesbaar and waarde not in definitie
                ):
                    gevonden.append(f"{waar}: herhaalt een ingestuurde waarde {waarde!r} in {tekst[:400]}")
        geautoriseerd = r.status_code == 200 and (case.operation.method.upper(), case.operation.path) in NEED_TO_KNOW
        if not geautoriseerd:
            for s in (*SENTINELS, SENTINEL_BSN):
                if s in tekst:
                    gevonden.append(f"{waar}: bevat een persoonsgegeven")

    instellingen = settings(
        max_examples=VOORBEELDEN,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    for resultaat in schema.get_all_operations():
        assert isinstance(resultaat, Ok), resultaat  # our own spec is valid OpenAPI
        operatie = resultaat.ok()
        for modus in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @instellingen
            @given(
                case=operatie.as_strategy(generation_mode=modus),
                beller=st.sampled_from(BELLERS),
                met_echte_refs=st.booleans(),
            )
            def fuzz(case: Any, beller: tuple[str, str] | None, met_echte_refs: bool) -> None:
                controleer(case, beller, met_echte_refs)
                # And always as school A on its own case: the caller who gets furthest into the use cases.
                controleer(case, BELLERS[0], True)

            try:
                fuzz()
            except Unsatisfiable:
                # Nothing in this operation can be violated (no parameters, no body): positive cases only.
                assert modus is GenerationMode.NEGATIVE, operatie.path
    # Every operation of the spec was exercised.
    aantal = sum(len(m) for m in app.openapi()["paths"].values())
    assert len(bekeken) == aantal, sorted(bekeken)
    engine.dispose()
    assert gevonden == []

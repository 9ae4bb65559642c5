"""The demo's story: one fictitious case from first signal to closure, driven entirely through ``/api/v1``.

School De Wissel signals, JGZ Limburg-Noord signals the same child (a match), triage leads to AVE 2 with
casusregie handed warmly to wijkteam Venlo, then casusoverleg, plan, evaluation, afschalen, nazorg and closure.
Each partner — the school, JGZ, the wijkteam, the gemeente — acts with its own token of the development issuer,
for one fictitious person; the coordinator of another school (b.baken, Het Baken) finds nothing of the case in
her postvak and is answered 404 exactly as for a case that does not exist. The server is the real app on a real
socket (``aanpak/demo/server.py``); the demo's clock moves forward working day by working day so the due dates
show the Algemene termijnenwet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.rule import Rule

from aanpak.cli.weergave import console
from aanpak.config import instellingen
from aanpak.demo import server, weergave
from aanpak.demo.afzondering import afgezonderd
from aanpak.demo.klok import DemoKlok
from aanpak.demo.partijen import Api, DemoFout, Partij, Verzoekregel
from aanpak.omgeving import Omgeving, bouw, zet_standaard
from aanpak.usecases.inzage import Inzage
from aanpak.usecases.inzicht import Taak, Tijdlijn
from models.casus import ACTIEVE_STAPSTATUSSEN, kalender_voor
from models.kalender import lokale_datum
from models.privacy import vereiste_toestemming
from models.teksten import datum, moment_tekst

GEBOORTEDATUM = "2014-05-09"
#: A case reference that does not exist: what the other school is answered must be exactly this answer.
ONBEKENDE_CASUS = "C-00000000"


@dataclass(frozen=True)
class Samenvatting:
    """What the demo did: its case, every request (who, what, status) and the other school's refusal."""

    casus_ref: str
    map: Path
    verzoeken: list[Verzoekregel]
    weigering_status: int
    logbestand: Path


def main() -> Samenvatting:
    """The demo, in its own data folder, over HTTP against its own aanpak server."""
    with afgezonderd() as map_:
        omg = bouw()
        zet_standaard(omg)
        try:
            with omg.uow() as sessie:
                _, wp = omg.werkprocessen.actueel(sessie, datetime.now(UTC))
            klok = DemoKlok(kalender_voor(wp))
            omg.klok = klok
            with server.draaiend(omg, map_) as srv:
                api = Api(srv.basis_url, srv.uitgever)
                try:
                    console.print(Rule("aanpak — demo: van signaal naar aanpak"))
                    console.print(
                        f"Eigen demomap: {map_} (eigen casusopslag en postvak; uw casusopslag blijft onaangeroerd)"
                    )
                    console.print(f"Werkproces: {wp.naam} (versie {wp.versie}); demo-klok start {moment_tekst(klok())}")
                    console.print(
                        f"aanpak-server van de demo: {srv.basis_url}/api/v1 — elke partner spreekt haar aan over "
                        "HTTP met een eigen token van de ontwikkeluitgever (tokens worden niet getoond)\n"
                    )
                    return _verloop(omg, klok, api, map_, srv.logbestand)
                finally:
                    api.sluit()
        finally:
            omg.engine.dispose()


def _verloop(omg: Omgeving, klok: DemoKlok, api: Api, map_: Path, logbestand: Path) -> Samenvatting:
    run = klok().strftime("%Y%m%d%H%M%S") + datetime.now(UTC).strftime("%f")
    school = api.partij("a.mentor")
    jgz = api.partij("j.verpleegkundige")
    wijkteam = api.partij("c.regisseur")
    gemeente = api.partij("d.procesregisseur")
    politie = api.partij("e.wijkagent")
    andere_school = api.partij("b.baken")

    r1 = school.vraag(
        "POST",
        "/signalen",
        _signaal("Mw. A. Mentor", "999990019", "Verzuimt vaak op maandag; oogt vermoeid.", f"demo-{run}-school"),
    )
    casus = str(r1["casus_ref"])
    _regel(klok, school, f"Signaal → nieuwe casus [bold]{casus}[/]  (HTTP 201)")
    _toon_termijnen(school, casus)

    klok.werkdagen(1)
    r2 = jgz.vraag(
        "POST",
        "/signalen",
        _signaal("Dhr. B. Verpleegkundige", None, "Groeicurve stagneert.", f"demo-{run}-jgz", ("gezondheid",)),
    )
    _regel(klok, jgz, f"Signaal → match op {r2['gematcht_op']} met casus [bold]{r2['casus_ref']}[/]")
    _toon_termijnen(jgz, casus)

    _stap(klok, school, casus, "afstemming_na_match", "afgestemd", 1)
    _stap(klok, school, casus, "interne_weging", "eigen_ondersteuning", 1)
    _toestemming(klok, school, casus, f"demo-{run}-toestemming")  # the outcome "toestemming" needs it first
    _stap(klok, school, casus, "informeren_grondslag", "toestemming", 2)
    aanbod = _stap(
        klok,
        school,
        casus,
        "ave_regie_bepalen",
        "lokaal",
        1,
        ave_fase=2,
        casusregie=wijkteam.rol,
        regie_voorstel="aanvaard",
    )
    klok.werkdagen(1)
    for ref in aanbod:
        wijkteam.vraag("POST", f"/overdrachten/{ref}/accepteer")
        _regel(klok, wijkteam, f"Warme overdracht {ref} geaccepteerd: casusregie bij {wijkteam.rol}")
    _inzien(klok, wijkteam, casus)
    _inzien(klok, politie, casus)
    weigering = _andere_school(klok, andere_school, casus)
    _stap(klok, gemeente, casus, "casusoverleg", "plan_opstellen", 5)
    _stap(klok, wijkteam, casus, "plan_van_aanpak", "vastgesteld", 6)
    _stap(klok, wijkteam, casus, "uitvoering_monitoring", "evalueren", 30)
    _stap(klok, wijkteam, casus, "evaluatie", "afschalen", 5)
    aanbod = _stap(
        klok,
        gemeente,
        casus,
        "op_afschalen",
        "afgeschaald",
        2,
        ave_fase=1,
        casusregie=school.rol,
        regie_voorstel="aanvaard",
    )
    klok.werkdagen(1)
    for ref in aanbod:
        school.vraag("POST", f"/overdrachten/{ref}/accepteer")
        _regel(klok, school, f"Warme overdracht {ref} geaccepteerd: casusregie terug bij {school.rol}")
    _stap(klok, school, casus, "nazorg", "afgerond", 60)
    _stap(klok, school, casus, "afsluiting", "gesloten", 2)
    _postvak_andere_school(klok, andere_school, casus)

    weergave.tijdlijn(Tijdlijn.model_validate(school.vraag("GET", f"/casussen/{casus}/tijdlijn")))
    weergave.meldingen(omg, casus, (instellingen().data_dir / "postvak").resolve(), andere_school.organisatie)
    controle = gemeente.vraag("POST", "/audit/verifieer")
    console.print(
        f"Verwerkingslog: {controle['aantal']} regel(s), hashketen {'in orde' if controle['in_orde'] else 'GEBROKEN'} "
        f"([bold]AANPAK_DATA_DIR={map_} .venv/bin/aanpak audit toon --casus {casus}[/])."
    )
    per_org = ", ".join(f"{org} {n}" for org, n in sorted(api.per_organisatie().items()))
    console.print(f"Verzoeken over HTTP per organisatie: {per_org}; toegangslog van de server: {logbestand}")
    console.print(Rule())
    console.print(
        f"Bekijk de casus opnieuw met: [bold]AANPAK_DATA_DIR={map_} .venv/bin/aanpak casus tijdlijn {casus}[/]"
    )
    ui = _prefect_ui()
    if ui:
        console.print(
            f"In de Prefect UI: open {ui} → Runs, filter op tag [bold]casus:{casus}[/]; het casusoverzicht staat "
            f"onder Artifacts als [bold]casus-{casus.lower()}[/] (wachtwoord: .aanpak/prefect/server.auth)."
        )
    return Samenvatting(casus, map_, list(api.verzoeken), weigering, logbestand)


def _prefect_ui() -> str | None:
    """The UI of the Prefect server the demo's runs went to (None without Prefect)."""
    if not instellingen().prefect:
        return None
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return url.removesuffix("/").removesuffix("/api") if url else None


def _signaal(
    naam: str,
    bsn: str | None,
    zorg: str,
    sleutel: str,
    categorieen: tuple[str, ...] = ("ontwikkeling", "verzuim"),
) -> dict[str, object]:
    """A signal document; ``melder.rol`` is left out — the server takes it from the token."""
    jeugdige: dict[str, object] = {
        "voornamen": "Noor",
        "achternaam": "de Demo",
        "geboortedatum": GEBOORTEDATUM,
        "wijk": "venlo-zuid",
    }
    if bsn:
        jeugdige["bsn"] = bsn
    return {
        "melder": {"naam": naam, "email": f"{sleutel.rsplit('-', 1)[-1]}@demo.example"},
        "jeugdige": jeugdige,
        "categorieen": list(categorieen),
        "acuut": False,
        "zorg": zorg,
        "idempotentie_sleutel": sleutel,
    }


def _regel(klok: DemoKlok, partij: Partij, tekst: str) -> None:
    console.print(f"  {datum(klok())}  [cyan]{escape(str(partij))}[/]: {tekst}")


def _stap(
    klok: DemoKlok,
    partij: Partij,
    casus: str,
    stap: str,
    uitkomst: str,
    na_werkdagen: int,
    **extra: object,
) -> list[str]:
    """One decision over HTTP; returns the handoffs it offered."""
    klok.werkdagen(na_werkdagen)
    antwoord = partij.vraag("POST", f"/casussen/{casus}/stappen/{stap}/besluit", {"uitkomst": uitkomst, **extra})
    toegepast: dict[str, Any] = antwoord.get("toegepast") or {}
    gestart, overdrachten = toegepast.get("gestarte_stappen") or [], toegepast.get("overdrachten") or []
    _regel(
        klok,
        partij,
        f"[bold]{stap}[/] → {uitkomst}"
        + (f"  · gestart: {', '.join(gestart)}" if gestart else "")
        + (f"  · overdracht aangeboden {', '.join(overdrachten)}" if overdrachten else ""),
    )
    _toon_termijnen(partij, casus)
    return [str(o) for o in overdrachten]


def _toon_termijnen(partij: Partij, casus: str) -> None:
    tl = Tijdlijn.model_validate(partij.vraag("GET", f"/casussen/{casus}/tijdlijn"))
    for s in tl.stappen:
        if s.status in ACTIEVE_STAPSTATUSSEN:
            console.print(
                f"      lopend: {s.naam} — {s.eigenaar} @ {s.organisatie}, uiterlijk [bold]{datum(s.termijn_einde)}[/]"
            )


def _toestemming(klok: DemoKlok, school: Partij, casus: str, sleutel: str) -> None:
    """Informeren en grondslag: the parents and (the child being 12) the youth consent to sharing."""
    leeftijd = _leeftijd(lokale_datum(klok()))
    gevers = sorted(vereiste_toestemming(leeftijd))
    vastgelegd = school.vraag(
        "POST",
        f"/casussen/{casus}/grondslagen",
        {
            "soort": "toestemming",
            "gegeven_door": gevers,
            "doel": "casusoverleg",
            "toelichting": (
                "Gesprek met ouders en jeugdige op school; toestemming voor het delen met betrokken partners."
            ),
            "idempotentie_sleutel": sleutel,
        },
    )
    _regel(
        klok,
        school,
        f"Toestemming {vastgelegd['grondslag_ref']} vastgelegd (jeugdige {leeftijd} jaar: {' en '.join(gevers)})",
    )


def _leeftijd(op: date) -> int:
    geboren = datetime.strptime(GEBOORTEDATUM, "%Y-%m-%d").date()
    return op.year - geboren.year - ((op.month, op.day) < (geboren.month, geboren.day))


def _inzien(klok: DemoKlok, partij: Partij, casus: str) -> None:
    """What a partner may see of the case (need-to-know x ground); the demo prints only the headings."""
    antwoord = partij.weigering("POST", f"/casussen/{casus}/inzage", {"doel": "casusoverleg"})
    if antwoord.status_code == 404:  # not involved: the case "does not exist" for this party; logged
        _regel(klok, partij, "Inzage: [red]casus onbekend[/] (niet betrokken; HTTP 404, gelogd)")
        return
    if antwoord.status_code != 200:
        raise DemoFout(f"{partij}: inzage gaf HTTP {antwoord.status_code}")
    uit = Inzage.model_validate(antwoord.json())
    if uit.geweigerd:
        _regel(klok, partij, f"Inzage: [red]geweigerd[/] ({uit.geweigerd}), gelogd")
        return
    getoond = ", ".join(sorted({c for o in uit.getoond for c in o.categorieen}))
    achter = "; ".join(f"{a.titel} — {a.reden}" for a in uit.achtergehouden) or "niets"
    _regel(klok, partij, f"Inzage: ziet {getoond}; achtergehouden: {achter}")


def _postvak(partij: Partij, casus: str) -> list[Taak]:
    taken = [Taak.model_validate(t) for t in partij.vraag("GET", "/postvak", None) or []]
    alles = [Taak.model_validate(t) for t in partij.vraag("GET", "/postvak?bereik=organisatie") or []]
    return [t for t in (*taken, *alles) if t.casus_ref == casus]


def _andere_school(klok: DemoKlok, partij: Partij, casus: str) -> int:
    """Another school's coordinator: nothing in her postvak, and the case answers exactly as an unknown one."""
    if _postvak(partij, casus):
        raise DemoFout(f"{partij}: de casus staat in het postvak van een niet-betrokken school")
    _regel(klok, partij, "Postvak: 0 taken in deze casus")
    gevraagd = partij.weigering("POST", f"/casussen/{casus}/inzage", {"doel": "casusoverleg"})
    onbekend = partij.weigering("POST", f"/casussen/{ONBEKENDE_CASUS}/inzage", {"doel": "casusoverleg"})
    if gevraagd.status_code != 404 or (gevraagd.status_code, _zonder_ref(gevraagd, casus)) != (
        onbekend.status_code,
        _zonder_ref(onbekend, ONBEKENDE_CASUS),
    ):
        raise DemoFout(f"{partij}: een niet-betrokken school kreeg HTTP {gevraagd.status_code} in plaats van 404")
    _regel(
        klok,
        partij,
        f"Inzage {casus}: [red]HTTP {gevraagd.status_code} casus onbekend[/] — hetzelfde antwoord als voor een "
        "casus die niet bestaat (geweigerd, gelogd)",
    )
    return gevraagd.status_code


def _zonder_ref(antwoord: Any, ref: str) -> str:
    """The answer's body with the asked reference blanked out: what an onlooker could tell the two apart by."""
    return str(antwoord.text).replace(ref, "C-…")


def _postvak_andere_school(klok: DemoKlok, partij: Partij, casus: str) -> None:
    if _postvak(partij, casus):
        raise DemoFout(f"{partij}: de casus staat in het postvak van een niet-betrokken school")
    _regel(klok, partij, "Postvak na afsluiting: nog steeds niets van deze casus")

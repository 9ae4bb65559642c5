"""`make demo`: one fictitious case from first signal to closure, on the embedded default.

School De Wissel signals, JGZ Limburg-Noord signals the same child (a match), triage leads to AVE 2 with
casusregie handed warmly to wijkteam Venlo, then casusoverleg, plan, evaluation, afschalen, nazorg and closure.
Every actor is a role at a concrete organisation of the register; the coordinator of another school (Het Baken)
sees nothing of the case in its postvak and is refused ``casus inzien`` as if the case did not exist.
Time is simulated (a demo clock moves forward working day by working day) so the due dates show the Algemene
termijnenwet at work; every
transition goes through the same use cases and transition runner as the CLI.

Isolation: the demo works in its own data folder ``<data dir>/demo/`` (its own SQLite case store, keys and local
mailbox, emptied at every start; never ``AANPAK_DATABASE_URL`` or ``AANPAK_KANALEN``) and shares only the local
Prefect server. So a demo that stops midway leaves its future-dated signals where no recovery of the real store
(``aanpak herstel``, the bewaking) can find them, and sends nothing to configured channels.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Coordinators read our output, not Prefect's log lines (those still reach the Prefect UI).
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

from rich.rule import Rule
from rich.table import Table
from sqlalchemy import select

from aanpak import uitvoering
from aanpak.cli.weergave import console
from aanpak.config import instellingen
from aanpak.meldingen import kanalen as kanaalconfig
from aanpak.meldingen.inhoud import kenmerk_van
from aanpak.meldingen.instellingen import beleid as meldingbeleid
from aanpak.meldingen.instellingen import instellingen as meldinginstellingen
from aanpak.omgeving import Omgeving, bouw, zet_standaard
from aanpak.store.schema import Bezorging, Casus, Jeugdige, Melding
from aanpak.usecases import bezorging, grondslag, inzage, inzicht, logboek, overdracht
from aanpak.usecases.besluit import BesluitIn, neem_besluit
from aanpak.usecases.signaal import registreer_signaal
from models.actor import Actor
from models.casus import kalender_voor
from models.fouten import DomeinFout, NietGevonden
from models.kalender import AMSTERDAM, Werkdagkalender, lokale_datum
from models.privacy import Grondslagsoort, vereiste_toestemming
from models.signaal import lees_signaal
from models.teksten import datum, moment_tekst


class DemoKlok:
    """Simulated time: starts at the next working day 09:00 and moves forward in working days."""

    def __init__(self, kalender: Werkdagkalender) -> None:
        self.kalender = kalender
        vandaag = self.kalender.volgende_werkdag(datetime.now(AMSTERDAM).date() + timedelta(days=1))
        self.moment = datetime.combine(vandaag, time(9, 0), tzinfo=AMSTERDAM).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.moment

    def werkdagen(self, n: int, uur: int = 10) -> None:
        dag = self.kalender.plus_werkdagen(lokale_datum(self.moment), n)
        self.moment = datetime.combine(dag, time(uur, 0), tzinfo=AMSTERDAM).astimezone(UTC)


#: The concrete organisation each demo role acts for (the register has two schools: the case is De Wissel's).
ORGANISATIE = {
    "school.zorgcoordinator": "school-de-wissel",
    "jgz.jeugdverpleegkundige": "jgz-limburg-noord",
    "wijkteam.casusregisseur": "wijkteam-venlo",
    "gemeente.procesregisseur": "gemeente-venlo",
    "politie.wijkagent": "politie-limburg",
}
ANDERE_SCHOOL = "school-het-baken"


def _actor(rol: str, door: str) -> Actor:
    return Actor(persoon=door, organisatie=ORGANISATIE[rol], rol=rol)


def _signaal(
    rol: str,
    naam: str,
    bsn: str | None,
    zorg: str,
    sleutel: str,
    categorieen: tuple[str, ...] = ("ontwikkeling", "verzuim"),
) -> dict[str, object]:
    jeugdige: dict[str, object] = {
        "voornamen": "Noor",
        "achternaam": "de Demo",
        "geboortedatum": "2014-05-09",
        "wijk": "venlo-zuid",
    }
    if bsn:
        jeugdige["bsn"] = bsn
    return {
        "melder": {"rol": rol, "naam": naam, "email": f"{rol.split('.')[0]}@demo.example"},
        "jeugdige": jeugdige,
        "categorieen": list(categorieen),
        "acuut": False,
        "zorg": zorg,
        "idempotentie_sleutel": sleutel,
    }


def _stap(
    omg: Omgeving,
    klok: DemoKlok,
    casus: str,
    stap: str,
    uitkomst: str,
    rol: str,
    door: str,
    na_werkdagen: int,
    **extra: object,
) -> list[str]:
    klok.werkdagen(na_werkdagen)
    genomen = neem_besluit(
        omg,
        BesluitIn.model_validate({"casus_ref": casus, "stap": stap, "uitkomst": uitkomst, **extra}),
        _actor(rol, door),
    )
    toegepast = uitvoering.na_besluit(omg, genomen.besluit_ref, genomen.casus_ref, genomen.stap)
    console.print(
        f"  {datum(klok())}  [bold]{stap}[/] → {uitkomst}  ({rol} @ {ORGANISATIE[rol]})"
        + (f"  · gestart: {', '.join(toegepast.gestarte_stappen)}" if toegepast.gestarte_stappen else "")
        + (f"  · overdracht aangeboden {', '.join(toegepast.overdrachten)}" if toegepast.overdrachten else "")
    )
    _toon_termijnen(omg, casus)
    return toegepast.overdrachten


def _toon_termijnen(omg: Omgeving, casus: str) -> None:
    tl = inzicht.tijdlijn(omg, casus)
    for s in tl.stappen:
        if s.status in ("open", "besloten", "opgeschort"):
            console.print(
                f"      lopend: {s.naam} — {s.eigenaar} @ {s.organisatie}, uiterlijk [bold]{datum(s.termijn_einde)}[/]"
            )


#: The demo's own folder under the data folder (fictitious data only: emptied at every start).
DEMOMAP = "demo"
#: The settings the demo sets aside: its store is always the embedded SQLite file, its mailbox the local one.
_WEGGEZET = ("AANPAK_DATABASE_URL", "AANPAK_KANALEN")


@contextmanager
def _omgevingsvariabelen(waarden: dict[str, str | None]) -> Iterator[None]:
    """Set (or with None remove) environment variables for this block; restored after, also on failure."""
    vorige = {k: os.environ.get(k) for k in waarden}
    try:
        for k, v in waarden.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        instellingen.cache_clear()
        yield
    finally:
        for k, v in vorige.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        instellingen.cache_clear()


@contextmanager
def _zelfde_prefect() -> Iterator[None]:
    """The Prefect server of the real settings (``PREFECT_API_URL``, else the local one under the real data
    folder), resolved before the data folder moves: the demo's runs show in the same UI."""
    echt = instellingen()
    if not echt.prefect:
        yield
        return
    from prefect.settings import get_current_settings, temporary_settings

    from aanpak import prefect_lokaal

    if get_current_settings().api.url:
        yield
        return
    try:
        verbinding = prefect_lokaal.zorg_voor_server(echt)
    except prefect_lokaal.PrefectStartFout:
        raise DomeinFout("de lokale Prefect-server start niet; de demo heeft nog niets vastgelegd") from None
    with temporary_settings(updates={"api.url": verbinding.api_url, "api.auth_string": verbinding.auth}):
        yield


@contextmanager
def afgezonderd() -> Iterator[Path]:
    """The demo's own data folder for this block (see the module docstring); yields it."""
    map_ = (instellingen().data_dir / DEMOMAP).resolve()
    with _zelfde_prefect():
        shutil.rmtree(map_, ignore_errors=True)  # a previous demo's fictitious case, stopped or not
        # In process, never as deployment runs: a worker would look for the demo's signals in the real store.
        waarden: dict[str, str | None] = {
            "AANPAK_DATA_DIR": str(map_),
            "AANPAK_DEPLOYMENTS": "false",
            **dict.fromkeys(_WEGGEZET),
        }
        with _omgevingsvariabelen(waarden):
            try:
                yield map_
            finally:
                zet_standaard(None)


def main() -> None:
    """The demo, in its own data folder."""
    with afgezonderd() as map_:
        _verloop(map_)


def _verloop(map_: Path) -> None:
    omg = bouw()
    zet_standaard(omg)
    with omg.uow() as sessie:
        _, wp = omg.werkprocessen.actueel(sessie, datetime.now(UTC))
    klok = DemoKlok(kalender_voor(wp))
    omg.klok = klok
    run = klok().strftime("%Y%m%d%H%M%S") + datetime.now(UTC).strftime("%f")

    console.print(Rule("aanpak — demo: van signaal naar aanpak"))
    console.print(f"Casusopslag: {omg.engine.url.render_as_string(hide_password=True)}")
    console.print(f"Eigen demomap: {map_} (eigen casusopslag en postvak; uw casusopslag blijft onaangeroerd)")
    console.print(f"Werkproces: {wp.naam} (versie {wp.versie}); demo-klok start {moment_tekst(klok())}\n")

    r1 = registreer_signaal(
        omg,
        lees_signaal(
            _signaal(
                "school.zorgcoordinator",
                "Mw. A. Mentor",
                "999990019",
                "Verzuimt vaak op maandag; oogt vermoeid.",
                f"demo-{run}-school",
            )
        ),
        _actor("school.zorgcoordinator", "Mw. A. Mentor"),
    )
    v1 = uitvoering.na_signaal(omg, r1.signaal_ref)
    casus = v1.casus_ref
    console.print(f"  {datum(klok())}  Signaal {ORGANISATIE['school.zorgcoordinator']} → nieuwe casus [bold]{casus}[/]")
    _toon_termijnen(omg, casus)

    klok.werkdagen(1)
    r2 = registreer_signaal(
        omg,
        lees_signaal(
            _signaal(
                "jgz.jeugdverpleegkundige",
                "Dhr. B. Verpleegkundige",
                None,
                "Groeicurve stagneert.",
                f"demo-{run}-jgz",
                ("gezondheid",),
            )
        ),
        _actor("jgz.jeugdverpleegkundige", "Dhr. B. Verpleegkundige"),
    )
    v2 = uitvoering.na_signaal(omg, r2.signaal_ref)
    console.print(
        f"  {datum(klok())}  Signaal {ORGANISATIE['jgz.jeugdverpleegkundige']} → match op {v2.gematcht_op} "
        f"met casus [bold]{v2.casus_ref}[/]"
    )
    _toon_termijnen(omg, casus)

    school, wijkteam, gemeente = (
        "school.zorgcoordinator",
        "wijkteam.casusregisseur",
        "gemeente.procesregisseur",
    )
    _stap(omg, klok, casus, "afstemming_na_match", "afgestemd", school, "a.mentor", 1)
    _stap(omg, klok, casus, "interne_weging", "eigen_ondersteuning", school, "a.mentor", 1)
    _toestemming(omg, casus, school, f"demo-{run}-toestemming")  # the outcome "toestemming" needs it first
    _stap(omg, klok, casus, "informeren_grondslag", "toestemming", school, "a.mentor", 2)
    aanbod = _stap(
        omg,
        klok,
        casus,
        "ave_regie_bepalen",
        "lokaal",
        school,
        "a.mentor",
        1,
        ave_fase=2,
        casusregie=wijkteam,
        regie_voorstel="aanvaard",
    )
    klok.werkdagen(1)
    for ref in aanbod:
        overdracht.accepteer_overdracht(omg, ref, _actor(wijkteam, "c.regisseur"))
        uitvoering.na_overdracht(omg, ref, casus)
        console.print(
            f"  {datum(klok())}  Warme overdracht {ref} geaccepteerd door {wijkteam} @ {ORGANISATIE[wijkteam]}"
        )
    _inzien(omg, casus, _actor(wijkteam, "c.regisseur"))
    _inzien(omg, casus, _actor("politie.wijkagent", "e.wijkagent"))
    _andere_school(omg, casus)
    _stap(omg, klok, casus, "casusoverleg", "plan_opstellen", gemeente, "d.procesregisseur", 5)
    _stap(omg, klok, casus, "plan_van_aanpak", "vastgesteld", wijkteam, "c.regisseur", 6)
    _stap(omg, klok, casus, "uitvoering_monitoring", "evalueren", wijkteam, "c.regisseur", 30)
    _stap(omg, klok, casus, "evaluatie", "afschalen", wijkteam, "c.regisseur", 5)
    aanbod = _stap(
        omg,
        klok,
        casus,
        "op_afschalen",
        "afgeschaald",
        gemeente,
        "d.procesregisseur",
        2,
        ave_fase=1,
        casusregie=school,
        regie_voorstel="aanvaard",
    )
    klok.werkdagen(1)
    for ref in aanbod:
        overdracht.accepteer_overdracht(omg, ref, _actor(school, "a.mentor"))
        uitvoering.na_overdracht(omg, ref, casus)
        console.print(f"  {datum(klok())}  Warme overdracht {ref} geaccepteerd door {school} @ {ORGANISATIE[school]}")
    _stap(omg, klok, casus, "nazorg", "afgerond", school, "a.mentor", 60)
    _stap(omg, klok, casus, "afsluiting", "gesloten", school, "a.mentor", 2)

    _toon_tijdlijn(omg, casus)
    _toon_meldingen(omg, casus)
    with omg.uow() as sessie:
        controle = logboek.verifieer(sessie)
    console.print(
        f"Verwerkingslog: {controle.aantal} regel(s), hashketen {'in orde' if controle.in_orde else 'GEBROKEN'} "
        f"([bold]AANPAK_DATA_DIR={map_} .venv/bin/aanpak audit toon --casus {casus}[/])."
    )
    console.print(Rule())
    console.print(
        f"Bekijk de casus opnieuw met: [bold]AANPAK_DATA_DIR={map_} .venv/bin/aanpak casus tijdlijn {casus}[/]"
    )
    console.print(
        "In de Prefect UI: [bold]make up[/], open http://127.0.0.1:4200 → Runs, filter op tag "
        f"[bold]casus:{casus}[/]; het casusoverzicht staat onder Artifacts als [bold]casus-{casus.lower()}[/]."
    )


def _toestemming(omg: Omgeving, casus: str, rol: str, sleutel: str) -> None:
    """Informeren en grondslag: the parents and (the child being 12) the youth consent to sharing."""
    with omg.uow() as sessie:
        ref = sessie.scalar(select(Casus.jeugdige_id).where(Casus.ref == casus))
        jeugdige = sessie.get(Jeugdige, ref)
        assert jeugdige is not None
        leeftijd = grondslag.identiteit(omg, jeugdige).leeftijd_op(lokale_datum(omg.nu()))
    gevers = sorted(vereiste_toestemming(leeftijd))
    vastgelegd = grondslag.leg_vast(
        omg,
        grondslag.GrondslagIn(
            casus_ref=casus,
            soort=Grondslagsoort.TOESTEMMING,
            gegeven_door=gevers,
            doel="casusoverleg",
            toelichting="Gesprek met ouders en jeugdige op school; toestemming voor het delen met betrokken partners.",
            idempotentie_sleutel=sleutel,
        ),
        _actor(rol, "a.mentor"),
    )
    console.print(
        f"  {datum(omg.nu())}  Toestemming {vastgelegd.grondslag_ref} vastgelegd "
        f"(jeugdige {leeftijd} jaar: {' en '.join(gevers)})"
    )


def _andere_school(omg: Omgeving, casus: str) -> None:
    """The zorgcoördinator of another school: nothing in its postvak, and the case "does not exist" for it."""
    rol = "school.zorgcoordinator"
    taken = [t for t in inzicht.postvak(omg, rol=rol, organisatie=ANDERE_SCHOOL) if t.casus_ref == casus]
    console.print(f"  {datum(omg.nu())}  Postvak {rol} @ {ANDERE_SCHOOL}: {len(taken)} taak/taken in deze casus")
    try:
        inzage.casus_inzien(omg, casus, Actor("z.andere", ANDERE_SCHOOL, rol), "casusoverleg")
    except NietGevonden:
        console.print(
            f"  {datum(omg.nu())}  Inzage {rol} @ {ANDERE_SCHOOL}: [red]casus onbekend[/] (geweigerd, gelogd)"
        )
    else:  # pragma: no cover - would be a privacy defect
        raise AssertionError("een niet-betrokken school kreeg inzage")


def _inzien(omg: Omgeving, casus: str, actor: Actor) -> None:
    """What a partner may see of the case (need-to-know x ground); the demo prints only the headings."""
    rol = f"{actor.rol} @ {actor.organisatie}"
    try:
        uit = inzage.casus_inzien(omg, casus, actor, "casusoverleg")
    except NietGevonden:  # not involved: the case "does not exist" for this party; the refusal is logged
        console.print(f"  {datum(omg.nu())}  Inzage {rol}: [red]casus onbekend[/] (niet betrokken), gelogd")
        return
    if uit.geweigerd:
        console.print(f"  {datum(omg.nu())}  Inzage {rol}: [red]geweigerd[/] ({uit.geweigerd}), gelogd")
        return
    getoond = ", ".join(sorted({c for o in uit.getoond for c in o.categorieen}))
    achter = "; ".join(f"{a.titel} — {a.reden}" for a in uit.achtergehouden) or "niets"
    console.print(f"  {datum(omg.nu())}  Inzage {rol}: ziet {getoond}; achtergehouden: {achter}")


def _toon_tijdlijn(omg: Omgeving, casus: str) -> None:
    tl = inzicht.tijdlijn(omg, casus)
    tabel = Table(title=f"Tijdlijn casus {casus} — {tl.status}, AVE {tl.ave}")
    for kolom in ("Stap", "Eigenaar", "Gestart", "Uiterlijk", "Afgerond", "Uitkomst"):
        tabel.add_column(kolom)
    for s in tl.stappen:
        tabel.add_row(
            s.naam,
            s.eigenaar,
            datum(s.gestart_op),
            datum(s.termijn_einde),
            datum(s.afgerond_op),
            s.uitkomst or s.status,
        )
    console.print()
    console.print(tabel)


def _toon_meldingen(omg: Omgeving, casus_ref: str) -> None:
    """What each partner actually received: the subject lines of the delivered messages, per role."""
    # The transition flows deliver as their last step; anything still due (e.g. without Prefect) goes now.
    bezorging.bezorg(omg, kanaalconfig.laad(meldinginstellingen().kanalen), meldingbeleid())
    postvak = (instellingen().data_dir / "postvak").resolve()
    per_rol: dict[str, list[str]] = defaultdict(list)
    niet_bezorgd = 0
    with omg.uow() as sessie:
        casus = sessie.scalars(select(Casus).where(Casus.ref == casus_ref)).one()
        rijen = sessie.execute(
            select(Melding, Bezorging)
            .join(Bezorging, Bezorging.melding_id == Melding.id, isouter=True)
            .where(Melding.casus_id == casus.id)
            .order_by(Melding.id, Bezorging.id)
        ).all()
    for m, b in rijen:
        if b is None or b.status != "verzonden":
            niet_bezorgd += 1
            continue
        map_ = postvak / (m.ontvanger_organisatie or "") / m.ontvanger_rol
        wie = f"{m.ontvanger_rol} @ {m.ontvanger_organisatie}"
        bestanden = sorted(map_.glob(f"*-{kenmerk_van(m)}.txt"))
        if bestanden:
            onderwerp = bestanden[0].read_text(encoding="utf-8").split("\n", 1)[0].removeprefix("Onderwerp: ")
            per_rol[wie].append(onderwerp.removeprefix(f"[aanpak {casus_ref}] "))
        else:
            per_rol[wie].append(f"{m.soort} {m.stap_key or ''} (via {b.kanaal})")
    tabel = Table(title=f"Wat elke partner ontving over casus {casus_ref} (onderwerpregels)")
    tabel.add_column("Rol")
    tabel.add_column("Ontvangen")
    for rol, onderwerpen in sorted(per_rol.items()):
        tabel.add_row(rol, "\n".join(onderwerpen))
    console.print(tabel)
    console.print(
        f"De berichten zelf staan per organisatie en rol in [bold]{postvak}[/] (ingebouwd postvak, zonder "
        "AANPAK_KANALEN)."
    )
    andere = postvak / ANDERE_SCHOOL
    console.print(f"Map van {ANDERE_SCHOOL}: {'bestaat niet — niets ontvangen' if not andere.exists() else andere}")
    if niet_bezorgd:
        console.print(
            f"[yellow]{niet_bezorgd} melding(en) nog niet bezorgd[/] — zie: .venv/bin/aanpak meldingen status"
        )


if __name__ == "__main__":
    import sys

    try:
        main()
    except DomeinFout as exc:  # e.g. Prefect away: the demo's half case stays in its own folder, out of reach
        console.print(f"[bold red]Gestopt:[/] {exc.melding}", markup=True, highlight=False)
        console.print(
            "De demo werkte in een eigen map; uw casusopslag is niet aangeraakt. Start de demo opnieuw zodra "
            "Prefect terug is (de vorige demo-casus wordt dan weggegooid)."
        )
        sys.exit(1)

"""`aanpak`: the coordinators' command line. Thin: parse, call a use case, show the answer.

Exit codes: 0 ok, 1 refused by the domain (bad input, conflict, unknown reference), 2 usage.
"""

from __future__ import annotations

import os

# Coordinators read our output, not Prefect's log lines (those still reach the Prefect UI).
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from aanpak import uitvoering
from aanpak.cli import nederlands
from aanpak.cli.actor import Organisatie, actor_uit, standaard_organisatie
from aanpak.cli.bewaring import bewaring_app
from aanpak.cli.document import lees_document
from aanpak.cli.fouten import Als, DocumentFout, Door, _omgeving, domeinfouten
from aanpak.cli.meldingen import meldingen_app
from aanpak.cli.privacy import audit_app, grondslag_app, inzien_cmd, rechten_app
from aanpak.cli.rapport import rapport_cmd
from aanpak.cli.server import server_cmd
from aanpak.cli.sleutels import sleutels_app
from aanpak.cli.toegang import toegang_app, token_cmd
from aanpak.cli.weergave import console, resterend
from aanpak.redactie import installeer as installeer_redactie
from aanpak.usecases import besluit as besluit_uc
from aanpak.usecases import bewaking, inzicht, overdracht, signaal, termijnen
from models.casus import Opschortreden, Verlengreden
from models.fouten import InvoerFout
from models.regievoorstel import Regieafwijkreden, Regiekeuze
from models.signaal import Categorie, SignaalIn, lees_signaal
from models.teksten import datum, moment_tekst
from models.werkproces import laad_bestand

installeer_redactie(prefect_laden=False)  # masks personal data in log records (second line of defence)
nederlands.installeer()  # typer's own texts (Gebruik, Opties, Fout, usage errors) in Dutch

app = typer.Typer(
    help="Werkproces van signaal naar aanpak — Convenant gelijke kansen, zorg en veiligheid.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,  # shell completion is for developers; its options would be typer's English
)
signaal_app = typer.Typer(help="Signalen registreren.", no_args_is_help=True)
casus_app = typer.Typer(help="Casussen volgen.", no_args_is_help=True)
stap_app = typer.Typer(help="Besluiten en termijnen van stappen.", no_args_is_help=True)
overdracht_app = typer.Typer(help="Warme overdracht van regie.", no_args_is_help=True)
werkproces_app = typer.Typer(help="Het werkproces tonen en controleren.", no_args_is_help=True)
db_app = typer.Typer(help="De casusopslag beheren.", no_args_is_help=True)

for naam, sub in (
    ("signaal", signaal_app),
    ("casus", casus_app),
    ("stap", stap_app),
    ("overdracht", overdracht_app),
    ("werkproces", werkproces_app),
    ("db", db_app),
    ("meldingen", meldingen_app),
    ("bewaring", bewaring_app),
    ("sleutels", sleutels_app),
    ("grondslag", grondslag_app),
    ("audit", audit_app),
    ("rechten", rechten_app),
    ("toegang", toegang_app),
):
    app.add_typer(sub, name=naam)
app.command("rapport")(rapport_cmd)
app.command("token")(token_cmd)
app.command("server")(server_cmd)
casus_app.command("inzien")(inzien_cmd)

# -- signaal ------------------------------------------------------------------------------------------------


@signaal_app.command("registreer")
@domeinfouten
def registreer(
    bestand: Annotated[str | None, typer.Option("--bestand", "-f", help="JSON-document; '-' leest stdin.")] = None,
    rol: Annotated[str | None, typer.Option(help="Rol van de melder, bv. school.zorgcoordinator.")] = None,
    melder: Annotated[str | None, typer.Option(help="Naam van de melder.")] = None,
    telefoon: Annotated[str | None, typer.Option(help="Telefoon van de melder.")] = None,
    email: Annotated[str | None, typer.Option(help="E-mail van de melder.")] = None,
    bsn: Annotated[str | None, typer.Option(help="BSN van de jeugdige (elfproef).")] = None,
    voornamen: Annotated[str | None, typer.Option()] = None,
    tussenvoegsel: Annotated[str, typer.Option()] = "",
    achternaam: Annotated[str | None, typer.Option()] = None,
    geboortedatum: Annotated[str | None, typer.Option(help="JJJJ-MM-DD")] = None,
    wijk: Annotated[str | None, typer.Option()] = None,
    categorie: Annotated[list[Categorie] | None, typer.Option(help="Eén of meer categorieën.")] = None,
    acuut: Annotated[bool, typer.Option("--acuut/--niet-acuut")] = False,
    zorg: Annotated[str | None, typer.Option(help="Feitelijke beschrijving van de zorg.")] = None,
    sleutel: Annotated[
        str | None, typer.Option(help="Idempotentiesleutel: dezelfde sleutel registreert één keer.")
    ] = None,
    organisatie: Organisatie = None,
) -> None:
    """Registreer een signaal; het wordt gematcht en opent of voegt zich bij een casus."""
    if bestand is not None:
        try:  # the fields of a file are named by their path in it (idempotentie_sleutel, not --sleutel)
            invoer = lees_signaal(lees_document(bestand))
        except InvoerFout as exc:
            raise DocumentFout(exc.fouten) from None
    else:
        document = {
            "melder": {
                k: v
                for k, v in {"rol": rol, "naam": melder, "telefoon": telefoon, "email": email}.items()
                if v is not None
            },
            "jeugdige": {
                k: v
                for k, v in {
                    "bsn": bsn,
                    "voornamen": voornamen,
                    "tussenvoegsel": tussenvoegsel,
                    "achternaam": achternaam,
                    "geboortedatum": geboortedatum,
                    "wijk": wijk,
                }.items()
                if v is not None
            },
            "categorieen": [c.value for c in categorie or []],
            "acuut": acuut,
            **({"zorg": zorg} if zorg is not None else {}),
            **({"idempotentie_sleutel": sleutel} if sleutel else {}),
        }
        invoer = lees_signaal(document)
    omg = _omgeving()
    melder_actor = actor_uit(omg, invoer.melder.rol, invoer.melder.naam, organisatie)
    geregistreerd = signaal.registreer_signaal(omg, invoer, melder_actor)
    verwerkt = uitvoering.na_signaal(omg, geregistreerd.signaal_ref)
    if geregistreerd.herhaald:
        console.print(
            f"Dit signaal was al geregistreerd ({verwerkt.signaal_ref}, casus [bold]{verwerkt.casus_ref}[/]); "
            "er is niets nieuws opgeslagen."
        )
    elif verwerkt.nieuwe_casus:
        console.print(
            f"Signaal [bold]{verwerkt.signaal_ref}[/] geregistreerd: nieuwe casus [bold]{verwerkt.casus_ref}[/]."
        )
    else:
        console.print(
            f"Signaal [bold]{verwerkt.signaal_ref}[/] gematcht ({verwerkt.gematcht_op}) met lopende casus "
            f"[bold]{verwerkt.casus_ref}[/]; de betrokken partners worden geïnformeerd."
        )
    if verwerkt.gestarte_stappen:
        console.print(f"Gestart: {', '.join(verwerkt.gestarte_stappen)}")


@signaal_app.command("schema")
def schema() -> None:
    """Print het JSON Schema van een signaaldocument."""
    typer.echo(json.dumps(SignaalIn.model_json_schema(), indent=2, ensure_ascii=False))


# -- postvak & casus -----------------------------------------------------------------------------------------


@app.command("postvak")
@domeinfouten
def postvak_cmd(
    rol: Annotated[str | None, typer.Option(help="Toon het postvak van deze rol.")] = None,
    organisatie: Annotated[
        str | None,
        typer.Option(help="Van deze organisatie (registersleutel); zonder --rol: alle rollen van de organisatie."),
    ] = None,
) -> None:
    """Wat moet er gebeuren, te laat eerst."""
    if rol is None and organisatie is None:
        raise typer.BadParameter("geef --rol en/of --organisatie")
    omg = _omgeving()
    organisatie = standaard_organisatie(omg, rol, organisatie) if rol is not None else organisatie
    assert organisatie is not None
    taken = inzicht.postvak(omg, rol=rol, organisatie=organisatie)
    titel = f"{rol} bij {organisatie}" if rol else organisatie
    tabel = Table(title=f"Postvak {titel}", show_lines=False)
    for kolom in ("Casus", "Wat", "Stap / overdracht", "Rol", "AVE", "Uiterlijk", "Resterend", "Status", "Versie"):
        tabel.add_column(kolom)
    for t in taken:
        tabel.add_row(
            t.casus_ref,
            t.naam,
            t.overdracht_ref or t.stap or "",
            t.rol,
            str(t.ave),
            datum(t.termijn_einde),
            resterend(t.werkdagen_resterend),
            f"{t.status} ({t.signalering})" if t.signalering else t.status,
            str(t.versie or ""),
        )
    console.print(tabel if taken else f"Niets te doen voor {escape(titel)}.")
    for t in taken:
        for v in t.regievoorstel:
            console.print(f"Regievoorstel {t.casus_ref} ({t.stap}): {escape(v.tekst())}")
    if taken:
        console.print(
            "[dim]Besluit met: aanpak stap besluit <casus> <stap> <uitkomst> --als <rol> --door <naam> "
            "(uitkomsten: aanpak werkproces toon)[/]"
        )


def _waarde(v: object) -> str:
    """History values as a coordinator reads them: dates as dd-mm-jjjj, lists as text."""
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    if isinstance(v, str) and len(v) >= 19 and v[4] == "-" and v[10] == "T":
        try:
            return moment_tekst(datetime.fromisoformat(v))
        except ValueError:
            return v
    return escape(str(v))


@casus_app.command("tijdlijn")
@domeinfouten
def tijdlijn_cmd(casus_ref: str) -> None:
    """De stappen en de historie van een casus (zonder persoonsgegevens)."""
    tl = inzicht.tijdlijn(_omgeving(), casus_ref)
    console.print(
        f"[bold]Casus {tl.casus_ref}[/] — {tl.status}, AVE {tl.ave}, casusregie {tl.casusregie or '-'}, "
        f"procesregie {tl.procesregie or '-'} (werkproces {tl.werkproces})"
    )
    stappen = Table(title="Stappen")
    for kolom in ("Stap", "Eigenaar", "Gestart", "Uiterlijk", "Afgerond", "Uitkomst", "Status"):
        stappen.add_column(kolom)
    for s in tl.stappen:
        stappen.add_row(
            s.naam,
            s.eigenaar,
            datum(s.gestart_op),
            datum(s.termijn_einde),
            datum(s.afgerond_op),
            s.uitkomst or "",
            s.status,
        )
    console.print(stappen)
    historie = Table(title="Historie")
    for kolom in ("Moment", "Gebeurtenis", "Stap", "Rol", "Door", "Details"):
        historie.add_column(kolom)
    for g in tl.gebeurtenissen:
        details = ", ".join(f"{k}: {_waarde(v)}" for k, v in g.gegevens.items() if v is not None)
        historie.add_row(moment_tekst(g.moment), g.soort, g.stap or "", g.rol or "", g.actor or "", details)
    console.print(historie)
    for v in tl.regievoorstel:
        console.print(f"Regievoorstel {escape(v.tekst())}")


# -- stappen ---------------------------------------------------------------------------------------------------


@stap_app.command("besluit")
@domeinfouten
def besluit_cmd(
    casus_ref: str,
    stap: str,
    uitkomst: str,
    als: Als,
    door: Door,
    ave: Annotated[int | None, typer.Option("--ave", help="AVE-fase 1-4 (waar de uitkomst erom vraagt).")] = None,
    casusregie: Annotated[str | None, typer.Option(help="Nieuwe casusregie (rol).")] = None,
    procesregie: Annotated[str | None, typer.Option(help="Nieuwe procesregie (rol).")] = None,
    casusregie_organisatie: Annotated[
        str | None, typer.Option(help="Organisatie van de nieuwe casusregie (als het type er meer heeft).")
    ] = None,
    procesregie_organisatie: Annotated[
        str | None, typer.Option(help="Organisatie van de nieuwe procesregie (als het type er meer heeft).")
    ] = None,
    eigenaar_organisatie: Annotated[
        str | None, typer.Option(help="Organisatie die de gestarte stap(pen) draagt (als dat niet eenduidig is).")
    ] = None,
    organisatie: Organisatie = None,
    regie_voorstel: Annotated[
        Regiekeuze | None,
        typer.Option("--regie-voorstel", help="Bij een AVE-besluit: het regievoorstel aanvaarden of ervan afwijken."),
    ] = None,
    reden: Annotated[
        Regieafwijkreden | None, typer.Option("--reden", help="Waarom u afwijkt van het regievoorstel.")
    ] = None,
    toelichting: Annotated[str | None, typer.Option(help="Motivering (versleuteld opgeslagen).")] = None,
    versie: Annotated[int | None, typer.Option(help="De versie van de stap die u zag (postvak).")] = None,
    sleutel: Annotated[str | None, typer.Option(help="Idempotentiesleutel.")] = None,
) -> None:
    """Leg een besluit vast voor een stap; de volgende stappen starten volgens het werkproces."""
    invoer = besluit_uc.BesluitIn(
        casus_ref=casus_ref,
        stap=stap,
        uitkomst=uitkomst,
        ave_fase=ave,
        casusregie=casusregie,
        procesregie=procesregie,
        casusregie_organisatie=casusregie_organisatie,
        procesregie_organisatie=procesregie_organisatie,
        eigenaar_organisatie=eigenaar_organisatie,
        regie_voorstel=regie_voorstel,
        regie_reden=reden,
        toelichting=toelichting,
        verwachte_versie=versie,
        idempotentie_sleutel=sleutel,
    )
    omg = _omgeving()
    genomen = besluit_uc.neem_besluit(omg, invoer, actor_uit(omg, als, door, organisatie))
    toegepast = uitvoering.na_besluit(omg, genomen.besluit_ref, genomen.casus_ref, genomen.stap)
    console.print(f"Besluit [bold]{toegepast.besluit_ref}[/]: {toegepast.stap} → {toegepast.uitkomst}.")
    if toegepast.overdrachten:
        console.print(f"Overdracht aangeboden: {', '.join(toegepast.overdrachten)} (wacht op acceptatie).")
    if toegepast.gestarte_stappen:
        console.print(f"Gestart: {', '.join(toegepast.gestarte_stappen)}")
    if toegepast.casus_gesloten:
        console.print(f"Casus {toegepast.casus_ref} is gesloten.")


@stap_app.command("opschorten")
@domeinfouten
def opschorten_cmd(
    casus_ref: str,
    stap: str,
    reden: Annotated[Opschortreden, typer.Option()],
    als: Als,
    door: Door,
    organisatie: Organisatie = None,
) -> None:
    """Schort de termijn van een stap op (met reden)."""
    omg = _omgeving()
    r = termijnen.opschorten(omg, casus_ref, stap, reden, actor_uit(omg, als, door, organisatie))
    console.print(f"Stap {r.stap} van {r.casus_ref} is opgeschort.")


@stap_app.command("hervatten")
@domeinfouten
def hervatten_cmd(casus_ref: str, stap: str, als: Als, door: Door, organisatie: Organisatie = None) -> None:
    """Hervat een opgeschorte stap; de termijn schuift op met de opgeschorte werkdagen."""
    omg = _omgeving()
    r = termijnen.hervatten(omg, casus_ref, stap, actor_uit(omg, als, door, organisatie))
    console.print(f"Stap {r.stap} hervat na {r.werkdagen_opgeschort} werkdag(en); uiterlijk {datum(r.termijn_einde)}.")


@stap_app.command("verlengen")
@domeinfouten
def verlengen_cmd(
    casus_ref: str,
    stap: str,
    aantal: int,
    reden: Annotated[Verlengreden, typer.Option()],
    als: Als,
    door: Door,
    organisatie: Organisatie = None,
) -> None:
    """Verleng een afgesproken termijn (niet een wettelijke) binnen de ruimte van het werkproces (met reden)."""
    omg = _omgeving()
    r = termijnen.verlengen(omg, casus_ref, stap, aantal, reden, actor_uit(omg, als, door, organisatie))
    console.print(f"Stap {r.stap} verlengd; uiterlijk {datum(r.termijn_einde)}.")


@stap_app.command("review")
@domeinfouten
def review_cmd(
    casus_ref: str, als: Als, door: Door, stap: str = "uitvoering_monitoring", organisatie: Organisatie = None
) -> None:
    """Leg vast dat de voortgang is besproken (monitoring); de volgende review volgt het ritme van de AVE-fase."""
    omg = _omgeving()
    r = termijnen.review(omg, casus_ref, stap, actor_uit(omg, als, door, organisatie))
    volgende = f"; volgende review uiterlijk {datum(r.volgende_review)}" if r.volgende_review else ""
    console.print(f"Review van {r.stap} vastgelegd{volgende}.")


@overdracht_app.command("accepteer")
@domeinfouten
def accepteer_cmd(overdracht_ref: str, als: Als, door: Door, organisatie: Organisatie = None) -> None:
    """Accepteer de regie die u wordt overgedragen (warme overdracht)."""
    omg = _omgeving()
    r = overdracht.accepteer_overdracht(omg, overdracht_ref, actor_uit(omg, als, door, organisatie))
    uitvoering.na_overdracht(omg, r.overdracht_ref, r.casus_ref)
    console.print(f"{r.soort} van casus {r.casus_ref} ligt nu bij {r.naar_rol}.")


@app.command("bewaking")
@domeinfouten
def bewaking_cmd() -> None:
    """Eén ronde termijnbewaking: herinneringen, escalaties per niveau, overdrachten en stagnatie."""
    signalen = bewaking.bewaak(_omgeving())
    for t in signalen:
        console.print(
            f"{t.soort.capitalize()}: {t.casus_ref} {t.stap or t.onderwerp}"
            f"{f' niveau {t.niveau}' if t.niveau else ''} → {', '.join(t.naar)}"
            f" (uiterlijk {datum(t.termijn_einde)})"
        )
    console.print(f"{len(signalen)} nieuwe signalering(en).")


@app.command("herstel")
@domeinfouten
def herstel_cmd(
    minuten: Annotated[int, typer.Option(help="Alleen wat langer dan zoveel minuten onafgemaakt is.")] = 5,
    parallel: Annotated[int, typer.Option(min=1, max=32, help="Zoveel overgangen tegelijk.")] = 4,
) -> None:
    """Maak overgangen af waarvan de Prefect-run verloren ging (signalen en besluiten uit de casusopslag).

    Eindigt met code 1 als er werk over is (nog open of mislukt)."""
    from aanpak.herstelronde import herstelronde
    from aanpak.usecases.herstel import Herstelstatus

    ronde = herstelronde(_omgeving(), minuten=minuten, parallel=parallel)
    for u in ronde.klaar:
        wat = "verwerkt" if u.soort == "signaal" else "toegepast"
        console.print(f"{u.soort.capitalize()} {u.ref} {wat}: casus {u.casus_ref}", highlight=False)
    for u in ronde.open + ronde.mislukt:
        kleur, woord = ("yellow", "nog open") if u.status == Herstelstatus.OPEN else ("red", "mislukt")
        casus = f" (casus {u.casus_ref})" if u.casus_ref else ""
        console.print(f"[{kleur}]{u.soort.capitalize()} {u.ref}{casus} {woord}:[/] {escape(u.reden)}", highlight=False)
    signalen = sum(u.soort == "signaal" for u in ronde.klaar)
    console.print(f"{signalen} signaal/signalen en {len(ronde.klaar) - signalen} besluit(en) afgemaakt.")
    console.print(
        f"Nog open: {len(ronde.open)}, mislukt: {len(ronde.mislukt)}."
        + (f" Nog {ronde.niet_geprobeerd} voor een volgende ronde." if ronde.niet_geprobeerd else ""),
        highlight=False,
    )
    if ronde.werk_over:
        raise typer.Exit(1)


# -- werkproces & db -------------------------------------------------------------------------------------------


@werkproces_app.command("toon")
@domeinfouten
def toon(
    bestand: Annotated[Path | None, typer.Option(help="Een ander definitiebestand.")] = None,
    mermaid: Annotated[bool, typer.Option("--mermaid", help="Alleen het Mermaid-diagram.")] = False,
) -> None:
    """Toon het werkproces als tabel (of als Mermaid-diagram)."""
    from aanpak.cli.werkproces_weergave import stappentabel
    from aanpak.rapportage.mermaid import mermaid_diagram

    pad = bestand or _omgeving().werkprocessen.pad
    wp, _ = laad_bestand(pad)
    if mermaid:
        typer.echo(mermaid_diagram(wp))
        return
    console.print(stappentabel(wp))
    console.print("\n[bold]Mermaid[/] (plak in een Markdown-viewer):")
    console.print(mermaid_diagram(wp), markup=False, highlight=False)


@werkproces_app.command("controleer")
@domeinfouten
def controleer(bestand: Path) -> None:
    """Controleer een definitiebestand zonder het in gebruik te nemen."""
    wp, tekst = laad_bestand(bestand)
    _controleer_versie(bestand, wp.key, wp.versie, tekst)
    console.print(
        f"{bestand}: geldig — {wp.key} versie {wp.versie}, {len(wp.stappen)} stappen, {len(wp.rollen)} rollen."
    )


def _controleer_versie(bestand: Path, key: str, versie: str, tekst: str) -> None:
    from aanpak.store.werkprocessen import controleer_versie

    with _omgeving().uow() as sessie:  # reads only
        controleer_versie(sessie, str(bestand), key, versie, tekst)


@db_app.command("upgrade")
@domeinfouten
def upgrade() -> None:
    """Breng het schema van de casusopslag naar de nieuwste migratie."""
    from aanpak.omgeving import bouw

    omg = bouw(migreren=True)  # the one command that migrates (on PostgreSQL; SQLite also migrates itself)
    console.print(f"Casusopslag bijgewerkt: {omg.engine.url.render_as_string(hide_password=True)}")


if __name__ == "__main__":
    app()

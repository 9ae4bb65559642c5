"""`aanpak casus inzien`, `aanpak grondslag …`, `aanpak audit …` and `aanpak rechten …`: the privacy protocol.

Registered in ``aanpak/cli/main.py``. What these commands print may be personal data (that is what an
authorised partner or the data subject asked for): it goes to this terminal or a file, never to Prefect.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from aanpak.cli.actor import Organisatie, actor_uit
from aanpak.cli.fouten import Als, Door, _omgeving, domeinfouten
from aanpak.cli.redenen import REDENEN
from aanpak.cli.weergave import console, fout_console, toonbaar
from aanpak.usecases import grondslag as grondslag_uc
from aanpak.usecases import inzage, logboek, logboek_lezen, rechten
from models.fouten import InvoerFout
from models.privacy import Beperkingsreden, Grondslagsoort, Toestemminggever
from models.teksten import datum, moment_tekst
from models.werkproces import Gegevenscategorie

grondslag_app = typer.Typer(
    help="Grondslagen voor het delen: toestemming of wettelijke grondslag.", no_args_is_help=True
)
audit_app = typer.Typer(
    help="Het verwerkingslog: wie zag wat, waarom — en of het onveranderd is.", no_args_is_help=True
)
rechten_app = typer.Typer(
    help="Verzoeken van betrokkenen (privacyloket): zoeken op BSN, inzage, correctie, beperking.",
    no_args_is_help=True,
)

Doel = Annotated[str, typer.Option("--doel", help="Waarvoor u de gegevens nodig hebt, als sleutel (bv. casusoverleg).")]


@domeinfouten
def inzien_cmd(
    casus_ref: str,
    als: Als,
    door: Door,
    doel: Doel,
    organisatie: Organisatie = None,
) -> None:
    """Toon de persoonsgegevens van een casus die uw rol mag zien — en wat is achtergehouden (wordt gelogd)."""
    omg = _omgeving()
    uitkomst = inzage.casus_inzien(omg, casus_ref, actor_uit(omg, als, door, organisatie), doel)
    if uitkomst.geweigerd is not None:
        fout_console.print(
            f"[bold red]Geweigerd:[/] {escape(REDENEN.get(uitkomst.geweigerd, uitkomst.geweigerd))} "
            f"(vastgelegd in het verwerkingslog, regel {uitkomst.logregel})."
        )
        raise typer.Exit(1)
    console.print(f"[bold]Casus {uitkomst.casus_ref}[/] — AVE {uitkomst.ave}, inzage als {escape(uitkomst.rol)}")
    for o in uitkomst.getoond:
        console.print(
            f"\n[bold]{escape(o.titel)}[/] [dim]({', '.join(o.categorieen)}; grond: {', '.join(o.grondslagen)})[/]"
        )
        for veld, waarde in o.velden.items():
            if waarde:
                console.print(f"  {veld}: {escape(waarde)}", highlight=False)
    if uitkomst.achtergehouden:
        tabel = Table(title="Achtergehouden")
        for kolom in ("Onderdeel", "Categorieën", "Reden"):
            tabel.add_column(kolom)
        for a in uitkomst.achtergehouden:
            tabel.add_row(escape(a.titel), ", ".join(a.categorieen), REDENEN.get(a.reden, a.reden))
        console.print(tabel)
    console.print(f"[dim]Vastgelegd in het verwerkingslog, regel {uitkomst.logregel}.[/]")


# -- grondslag ------------------------------------------------------------------------------------------------


@grondslag_app.command("vastleggen")
@domeinfouten
def vastleggen_cmd(
    casus_ref: str,
    soort: Annotated[Grondslagsoort, typer.Option("--soort", help="Toestemming of een wettelijke grondslag.")],
    als: Als,
    door: Door,
    doel: Doel,
    gegeven_door: Annotated[
        list[Toestemminggever] | None, typer.Option("--gegeven-door", help="Bij toestemming: ouders en/of jeugdige.")
    ] = None,
    ontvanger: Annotated[
        list[str] | None, typer.Option("--ontvanger", help="Rol of organisatie (herhaalbaar); leeg = alle betrokkenen.")
    ] = None,
    categorie: Annotated[
        list[Gegevenscategorie] | None,
        typer.Option("--categorie", help="Gegevenscategorie (herhaalbaar); leeg = alle."),
    ] = None,
    toelichting: Annotated[str | None, typer.Option(help="Bv. het artikel of het gesprek (versleuteld).")] = None,
    tot: Annotated[str | None, typer.Option("--tot", help="Geldig tot (JJJJ-MM-DD).")] = None,
    sleutel: Annotated[str | None, typer.Option("--sleutel", help="Idempotentiesleutel.")] = None,
    organisatie: Organisatie = None,
) -> None:
    """Leg een toestemming of wettelijke grondslag vast voor het delen van gegevens in een casus."""
    geldig_tot = None
    if tot is not None:
        try:
            geldig_tot = date.fromisoformat(tot)
        except ValueError:
            raise InvoerFout([("tot", "geen geldige datum (JJJJ-MM-DD)")]) from None
    omg = _omgeving()
    uitkomst = grondslag_uc.leg_vast(
        omg,
        grondslag_uc.GrondslagIn(
            casus_ref=casus_ref,
            soort=soort,
            gegeven_door=gegeven_door or [],
            ontvangers=ontvanger or [],
            categorieen=categorie or [],
            doel=doel,
            toelichting=toelichting,
            geldig_tot=geldig_tot,
            idempotentie_sleutel=sleutel,
        ),
        actor_uit(omg, als, door, organisatie),
    )
    herhaald = " (al vastgelegd)" if uitkomst.herhaald else ""
    console.print(
        f"Grondslag {uitkomst.grondslag_ref} ({uitkomst.soort}) vastgelegd voor casus {uitkomst.casus_ref}{herhaald}."
    )


@grondslag_app.command("intrekken")
@domeinfouten
def intrekken_cmd(grondslag_ref: str, als: Als, door: Door, organisatie: Organisatie = None) -> None:
    """Trek een toestemming in (of beëindig een grondslag) vanaf nu; de vastlegging blijft bewaard."""
    omg = _omgeving()
    uitkomst = grondslag_uc.trek_in(omg, grondslag_ref, actor_uit(omg, als, door, organisatie))
    herhaald = " (was al ingetrokken)" if uitkomst.herhaald else ""
    console.print(f"Grondslag {uitkomst.grondslag_ref} ingetrokken{herhaald}.")


@grondslag_app.command("lijst")
@domeinfouten
def lijst_cmd(casus_ref: str) -> None:
    """De grondslagen van een casus (zonder toelichting)."""
    tabel = Table(title=f"Grondslagen — casus {casus_ref}")
    for kolom in ("Ref", "Soort", "Gegeven door", "Ontvangers", "Categorieën", "Doel", "Vastgelegd", "Tot", "Status"):
        tabel.add_column(kolom)
    for g in grondslag_uc.overzicht(_omgeving(), casus_ref):
        status = (
            "van kracht"
            if g.van_kracht
            else (f"ingetrokken {datum(g.ingetrokken_op)}" if g.ingetrokken_op else "verlopen")
        )
        tabel.add_row(
            g.ref,
            g.soort,
            ", ".join(g.gegeven_door) or "-",
            ", ".join(g.ontvangers) or "alle betrokkenen",
            ", ".join(g.categorieen) or "alle (need-to-know)",
            g.doel,
            f"{datum(g.vastgelegd_op)} {escape(g.vastgelegd_rol)}",
            datum(g.geldig_tot),
            status,
        )
    console.print(tabel)


# -- audit ----------------------------------------------------------------------------------------------------


@audit_app.command("verifieer")
@domeinfouten
def verifieer_cmd(
    anker: Annotated[
        list[str] | None,
        typer.Option("--anker", help="Eerder elders bewaard NUMMER:HASH om mee te vergelijken (herhaalbaar)."),
    ] = None,
) -> None:
    """Controleer de hashketen van het verwerkingslog: een gewijzigde, ingevoegde of verwijderde regel wordt gevonden.

    De keten is beveiligd met de sleutel van de server, die niet in de database staat: wie alleen bij de
    database kan, kan het log niet onopgemerkt herschrijven. Bewaar de kop (nummer:hash) af en toe buiten bereik
    van de databasebeheerder; met --anker blijkt ook een teruggezette oudere kop."""
    omg = _omgeving()
    ankers: list[tuple[int, str]] = []
    for i, a in enumerate(anker or []):
        nummer, _, waarde = a.partition(":")
        if not nummer.isdigit() or len(waarde) != 64:
            raise InvoerFout([(f"--anker[{i}]", "verwacht NUMMER:HASH (64 hexadecimale tekens)")])
        ankers.append((int(nummer), waarde.lower()))
    with omg.uow() as sessie:
        v = logboek.verifieer(sessie)
        afwijkend = [(n, r) for n, h in ankers if (r := logboek.controleer_anker(sessie, n, h)) is not None]
    if v.in_orde and not afwijkend:
        bereik = f"regels {v.eerste}–{v.laatste}" if v.aantal else "geen regels"
        console.print(f"Verwerkingslog in orde: {v.aantal} regel(s) ({bereik}).")
        if v.ongesleuteld:
            console.print(
                f"  {v.ongesleuteld} regel(s) van vóór de sleutel (ongesleutelde hashketen), afgesloten door "
                f"overgangsregel {v.sleutel_vanaf}; {v.aantal - v.ongesleuteld} regel(s) met de sleutel van de server."
            )
        elif v.aantal:
            console.print("  Alle regels met de sleutel van de server.")
        console.print(f"Kop: {v.kop_volgnummer}:{v.kop_hash}", highlight=False)
        if ankers:
            console.print(f"{len(ankers)} anker(s) kloppen.")
        return
    fout_console.print(f"[bold red]Verwerkingslog NIET in orde[/]: {len(v.breuken) + len(afwijkend)} breuk(en).")
    for b in v.breuken:
        fout_console.print(f"  regel {b.volgnummer}: {b.probleem}")
    for n, reden in afwijkend:
        fout_console.print(f"  anker {n}: {reden}")
    raise typer.Exit(1)


@audit_app.command("toon")
@domeinfouten
def toon_cmd(
    casus: Annotated[str | None, typer.Option("--casus", help="Alleen deze casus.")] = None,
    laatste: Annotated[int, typer.Option(help="Hoeveel regels (nieuwste).")] = 50,
) -> None:
    """Het verwerkingslog (zonder persoonsgegevens): wie, welke rol, welke categorieën, doel, grond, uitkomst."""
    regels = logboek_lezen.laatste_regels(_omgeving(), casus_ref=casus, aantal=laatste)
    tabel = Table(title="Verwerkingslog")
    for kolom in ("#", "Moment", "Casus", "Handeling", "Door", "Rol", "Doel", "Grond", "Uitkomst", "Getoond", "Niet"):
        tabel.add_column(kolom)
    for r in regels:
        # Everything replayed is made terminal-safe: a handle or key stored raw must not clear the screen.
        tabel.add_row(
            str(r.volgnummer),
            moment_tekst(r.moment),
            toonbaar(r.casus_ref or ""),
            toonbaar(r.handeling),
            toonbaar(r.actor),
            toonbaar(r.rol),
            toonbaar(r.doel),
            toonbaar(", ".join(r.grondslagen)),
            toonbaar(r.uitkomst + (f" ({r.reden})" if r.reden else "")),
            toonbaar(", ".join(r.categorieen)),
            toonbaar(", ".join(r.geweigerd)),
        )
    console.print(tabel)


# -- rechten van betrokkenen ------------------------------------------------------------------------------------


@rechten_app.command("zoek")
@domeinfouten
def zoek_cmd(
    als: Als,
    door: Door,
    doel: Annotated[rechten.Zoekdoel, typer.Option("--doel", help="Het verzoek waarvoor u zoekt (wordt gelogd).")],
    bsn: Annotated[
        str,
        typer.Option(
            "--bsn",
            prompt="BSN",
            hide_input=True,
            help="Het BSN van de jeugdige; laat weg om het verborgen in te typen (niet in de shellgeschiedenis).",
        ),
    ],
) -> None:
    """Vind de casussen (open en gesloten) van een jeugdige op BSN; elke zoekvraag komt in het verwerkingslog."""
    omg = _omgeving()
    uitkomst = rechten.zoek_op_bsn(omg, bsn, doel, actor_uit(omg, als, door, None))
    if not uitkomst.casus_refs:
        console.print("Geen casus gevonden bij dit BSN (vastgelegd in het verwerkingslog).")
        return
    for ref in uitkomst.casus_refs:
        typer.echo(ref)


@rechten_app.command("inzage")
@domeinfouten
def rechten_inzage_cmd(
    casus_ref: str,
    als: Als,
    door: Door,
    formaat: Annotated[str, typer.Option(help="json of tekst.")] = "tekst",
    uitvoer: Annotated[Path | None, typer.Option(help="Schrijf naar dit bestand (anders het scherm).")] = None,
) -> None:
    """Alles wat over de jeugdige is vastgelegd, met het verwerkingslog (art. 15 AVG), als JSON of leesbare tekst."""
    if formaat not in ("json", "tekst"):
        raise InvoerFout([("formaat", "kies json of tekst")])
    if uitvoer is not None and (uitvoer.is_symlink() or uitvoer.exists()):  # before anything is logged
        raise InvoerFout([("--uitvoer", "bestaat al (of is een koppeling); kies een nieuw bestand")])
    omg = _omgeving()
    dossier = rechten.exporteer(omg, casus_ref, actor_uit(omg, als, door, None))
    inhoud = dossier.model_dump_json(indent=2) + "\n" if formaat == "json" else dossier.als_tekst()
    if uitvoer is None:
        typer.echo(inhoud, nl=False)
        return
    schrijf_nieuw(uitvoer, inhoud)
    console.print(f"Inzage geschreven naar {escape(str(uitvoer))} ({len(dossier.casussen)} casus(sen)).")


def schrijf_nieuw(pad: Path, inhoud: str) -> None:
    """Write personal data to a file that did not exist: created exclusively, 0600 from the first byte, and never
    through a symbolic link (which could point at a file of someone else's choosing, overwritten with our data)."""
    pad.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(pad, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise InvoerFout([("--uitvoer", "bestaat al (of is een koppeling); kies een nieuw bestand")]) from None
    except OSError as exc:
        raise InvoerFout([("--uitvoer", f"kan niet geschreven worden ({exc.strerror})")]) from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(inhoud)


@rechten_app.command("corrigeer")
@domeinfouten
def corrigeer_cmd(
    casus_ref: str,
    als: Als,
    door: Door,
    veld: Annotated[list[str], typer.Option("--veld", help="veld=waarde, bv. achternaam=Jansen (herhaalbaar).")],
) -> None:
    """Corrigeer de identiteit van de jeugdige (art. 16 AVG); de vorige versie blijft versleuteld bewaard."""
    wijzigingen: dict[str, str] = {}
    for i, paar in enumerate(veld):
        naam, is_, waarde = paar.partition("=")
        if not is_:
            raise InvoerFout([(f"--veld[{i}]", "verwacht veld=waarde")])
        wijzigingen[naam.strip()] = waarde.strip()
    omg = _omgeving()
    uitkomst = rechten.corrigeer(omg, casus_ref, wijzigingen, actor_uit(omg, als, door, None))
    if uitkomst.herhaald:
        console.print("Niets gewijzigd: de gegevens waren al zo.")
    else:
        console.print(f"Gecorrigeerd: {', '.join(uitkomst.velden)} (vorige versie bewaard).")


@rechten_app.command("beperk")
@domeinfouten
def beperk_cmd(
    casus_ref: str,
    als: Als,
    door: Door,
    reden: Annotated[Beperkingsreden, typer.Option("--reden", help="Grond voor de beperking (art. 18 AVG).")],
) -> None:
    """Beperk de verwerking: niemand krijgt de persoonsgegevens nog te zien tot de beperking is opgeheven."""
    omg = _omgeving()
    uitkomst = rechten.beperk(omg, casus_ref, reden, actor_uit(omg, als, door, None))
    console.print("Verwerking was al beperkt." if uitkomst.herhaald else "Verwerking beperkt.")


@rechten_app.command("hef-beperking-op")
@domeinfouten
def hef_op_cmd(casus_ref: str, als: Als, door: Door) -> None:
    """Hef de beperking van de verwerking op."""
    omg = _omgeving()
    uitkomst = rechten.hef_beperking_op(omg, casus_ref, actor_uit(omg, als, door, None))
    console.print("Er was geen beperking." if uitkomst.herhaald else "Beperking opgeheven.")

"""`aanpak meldingen …`: check the channel configuration, see and requeue deliveries, deliver now.

Registered in ``aanpak/cli/main.py`` with ``app.add_typer(meldingen_app, name="meldingen")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from aanpak.cli.weergave import console, fout_console
from aanpak.config import instellingen as basisinstellingen
from aanpak.meldingen import kanalen as kanaalconfig
from aanpak.meldingen.dekking import dekking
from aanpak.meldingen.instellingen import beleid, meldinginstellingen
from aanpak.omgeving import standaard
from aanpak.usecases import bezorging
from models import organisaties
from models.fouten import DefinitieFout, DomeinFout
from models.werkproces import laad_bestand

meldingen_app = typer.Typer(help="Meldingen aan partners: kanalen controleren, bezorging volgen en herhalen.")


def _weiger(tekst: str) -> typer.Exit:
    fout_console.print(f"[bold red]Geweigerd:[/] {escape(tekst)}")
    return typer.Exit(1)


@meldingen_app.command("controleer")
def controleer_cmd(
    bestand: Annotated[
        Path | None, typer.Option("--bestand", help="Kanaalconfiguratie (standaard: AANPAK_KANALEN).")
    ] = None,
) -> None:
    """Controleer de kanaalconfiguratie: leesbaar, en een kanaal voor elke rol die gemeld kan worden."""
    pad = bestand or meldinginstellingen().kanalen
    try:
        kanalen = kanaalconfig.laad(pad)
        wp, _ = laad_bestand(basisinstellingen().werkproces)
        register = organisaties.laad_bestand(basisinstellingen().organisaties, wp)
    except (DomeinFout, DefinitieFout) as exc:
        raise _weiger(str(exc)) from None
    d = dekking(wp, kanalen, register)
    tabel = Table(title=f"Kanalen ({kanalen.bron})")
    tabel.add_column("Rol")
    tabel.add_column("Kanalen")
    for rol in d.vereist:
        organisatie = wp.organisatie_van(rol)
        tabel.add_row(rol, ", ".join(k.id for k in kanalen.voor(rol, organisatie)) or "[bold red]geen[/]")
    console.print(tabel)
    if d.onbekende_tags:
        console.print(f"[yellow]Let op:[/] tags die geen rol of organisatie zijn: {', '.join(d.onbekende_tags)}")
    if d.zonder_kanaal:
        raise _weiger(f"geen kanaal voor rol(len): {', '.join(d.zonder_kanaal)} (configuratiefout)")
    console.print(f"In orde: {len(d.vereist)} rollen, {len(kanalen.kanalen)} kanaal/kanalen.")


@meldingen_app.command("opnieuw")
def opnieuw_cmd(
    melding: Annotated[int | None, typer.Option("--melding", help="Het id van één mislukte melding.")] = None,
    alle_mislukt: Annotated[bool, typer.Option("--alle-mislukt", help="Alle mislukte meldingen.")] = False,
) -> None:
    """Zet mislukte meldingen opnieuw klaar voor bezorging (met nieuwe pogingen)."""
    if (melding is None) == (not alle_mislukt):
        fout_console.print("Kies precies één van --melding ID of --alle-mislukt.")
        raise typer.Exit(2)
    try:
        aantal = bezorging.opnieuw(standaard(), melding_id=melding, alle_mislukt=alle_mislukt)
    except DomeinFout as exc:
        raise _weiger(str(exc)) from None
    console.print(f"{aantal} bezorging(en) opnieuw klaargezet; de volgende run van meldingen-versturen verstuurt ze.")


@meldingen_app.command("status")
def status_cmd() -> None:
    """Bezorgingen per status en de mislukte (zonder inhoud: referenties, rollen en redenen)."""
    o = bezorging.overzicht(standaard())
    for status, aantal in sorted(o.per_status.items()):
        console.print(f"{status}: {aantal}")
    if o.mislukt:
        tabel = Table(title="Mislukt")
        for kolom in ("Melding", "Casus", "Soort", "Rol", "Kanaal", "Pogingen", "Laatste fout"):
            tabel.add_column(kolom)
        for m in o.mislukt:
            tabel.add_row(
                str(m.melding_id), m.casus_ref, m.soort, m.rol, m.kanaal, str(m.pogingen), m.laatste_fout or ""
            )
        console.print(tabel)


@meldingen_app.command("verstuur")
def verstuur_cmd() -> None:
    """Bezorg nu wat klaarstaat (zoals de geplande run elke minuut doet)."""
    omg = standaard()
    try:
        kanalen = kanaalconfig.laad(meldinginstellingen().kanalen)
    except DomeinFout as exc:
        raise _weiger(str(exc)) from None
    verslag = bezorging.bezorg(omg, kanalen, beleid())
    console.print(f"{verslag.verzonden} bezorgd, {verslag.uitgesteld} uitgesteld, {verslag.mislukt} mislukt.")
    if verslag.zonder_kanaal:
        raise _weiger(f"geen kanaal voor rol(len): {', '.join(verslag.zonder_kanaal)}")

"""`aanpak sleutels …`: make a new key, see which key protects what, rewrite old values under the newest key.

Registered in ``aanpak/cli/main.py`` with ``app.add_typer(sleutels_app, name="sleutels")``. The procedure is in
docs/privacy-sleutels.md. Output shows key ids, column names and counts only; ``nieuw`` prints the new key
itself once to stdout (never to a log) for the operator to put in the secret store.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from aanpak.cli.weergave import console, fout_console
from aanpak.crypto import SleutelFout, nieuwe_sleutel_tekst
from aanpak.omgeving import Omgeving, standaard
from aanpak.usecases import sleutels as uc
from models.fouten import DomeinFout

sleutels_app = typer.Typer(help="Sleutels voor de versleutelde persoonsgegevens: nieuw, status, herversleutelen.")


def _omgeving() -> Omgeving:
    try:
        return standaard()
    except SleutelFout as exc:
        fout_console.print(f"[bold red]Configuratiefout:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None


@sleutels_app.command("nieuw")
def nieuw_cmd(
    sleutel_id: Annotated[
        str | None, typer.Option("--id", help="Sleutel-id (alfanumeriek, max 16); standaard k<datum><tijd>.")
    ] = None,
) -> None:
    """Maak een nieuwe sleutel; zet de regel vóóraan in AANPAK_SLEUTELS of het sleutelbestand."""
    kid = sleutel_id or "k" + datetime.now(UTC).strftime("%Y%m%d%H%M")
    try:
        regel = nieuwe_sleutel_tekst(kid)
    except SleutelFout as exc:
        fout_console.print(f"[bold red]Geweigerd:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    typer.echo(regel)  # stdout only: the operator pipes it into the secret store
    fout_console.print(
        "Zet deze regel vóóraan (nieuwste eerst) in AANPAK_SLEUTELS of het sleutelbestand, bij alle processen; "
        "draai daarna [bold]aanpak sleutels herversleutel[/]. Bewaar hem niet in een log of ticket."
    )


@sleutels_app.command("status")
def status_cmd() -> None:
    """Per versleutelde kolom: hoeveel waarden onder welke sleutel (geen waarden)."""
    s = uc.status(_omgeving())
    tabel = Table(title=f"Versleutelde kolommen (actuele sleutel: {s.actueel})")
    for kolom in ("Kolom", "Sleutel", "Aantal"):
        tabel.add_column(kolom)
    for k in s.kolommen:
        if not k.per_sleutel:
            tabel.add_row(k.kolom, "-", "0")
        for kid, aantal in k.per_sleutel.items():
            label = f"{kid} (actueel)" if kid == s.actueel else kid
            tabel.add_row(k.kolom, escape(label), str(aantal))
    console.print(tabel)
    console.print(f"Sleutelring (nieuwste eerst): {', '.join(s.sleutelring)}")
    if s.ontbrekend:
        fout_console.print(
            f"[bold red]Let op:[/] sleutel(s) {', '.join(s.ontbrekend)} ontbreken; die waarden zijn onleesbaar."
        )
    if s.te_herversleutelen:
        console.print(f"{s.te_herversleutelen} waarde(n) nog onder een oudere sleutel: draai herversleutel.")
    else:
        console.print("Alle waarden staan onder de actuele sleutel.")
    if s.verwijderbaar:
        console.print(f"Niet meer in gebruik (kan uit de sleutelring): {', '.join(s.verwijderbaar)}")
    if s.ontbrekend:
        raise typer.Exit(1)


@sleutels_app.command("herversleutel")
def herversleutel_cmd(
    droog: Annotated[bool, typer.Option("--droog", help="Alleen tellen en controleren; niets wijzigen.")] = False,
    batch: Annotated[int, typer.Option(min=1, help="Waarden per transactie.")] = uc.STANDAARD_BATCH,
) -> None:
    """Versleutel elke waarde die niet onder de nieuwste sleutel staat opnieuw (per batch, hervatbaar)."""
    omg = _omgeving()
    try:
        r = uc.herversleutel(omg, droog=droog, batch=batch)
    except (SleutelFout, DomeinFout) as exc:
        fout_console.print(
            f"[bold red]Gestopt:[/] {escape(str(exc))}. Eerdere batches zijn vastgelegd; "
            "herstel de sleutelring en draai opnieuw."
        )
        raise typer.Exit(1) from None
    werkwoord = "zou herversleutelen" if droog else "herversleuteld"
    for kolom, per in r.kolommen.items():
        if per:
            delen = ", ".join(f"{n} van {kid}" for kid, n in per.items())
            console.print(f"{kolom}: {werkwoord} {delen}")
    if droog:
        console.print(f"Proef: {r.totaal} waarde(n) gelezen en leesbaar; er is niets gewijzigd.")
    else:
        console.print(f"{r.totaal} waarde(n) herversleuteld naar {r.actueel} in {r.batches} transactie(s).")
        verwijderbaar = uc.status(omg).verwijderbaar
        if verwijderbaar:
            console.print(f"Oude sleutel(s) {', '.join(verwijderbaar)} zijn niet meer nodig en kunnen uit de ring.")

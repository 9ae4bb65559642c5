"""``aanpak`` in client mode (``AANPAK_API_URL`` set): the coordinators' commands as calls to ``/api/v1``.

Built by ``aanpak/cli/start.py`` before anything of the local CLI is imported. Who acts — person, organisation,
role — comes only from the token; ``--rol`` chooses one of the token's roles (the ``X-Aanpak-Rol`` header).
Output and exit codes are the local CLI's: 0 done, 1 refused, 2 usage.
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from aanpak.cli import nederlands
from aanpak.cli.document import lees_document
from aanpak.cli.weergave import console, fout_console, resterend, toonbaar
from aanpak.klant import privacy, tokenbestand, verzoeken
from aanpak.klant.gedeeld import Rol, datum, klantfouten, moment_tekst, nog_bezig, waarde
from aanpak.klant.verbinding import verzoek
from models.regietekst import regievoorstel_tekst

nederlands.installeer()

app = typer.Typer(
    help="Werkproces van signaal naar aanpak — Convenant gelijke kansen, zorg en veiligheid "
    "(clientmodus: via de aanpak-server in AANPAK_API_URL; wie u bent komt uit uw token). De beheeropdrachten "
    "van de serverhost (db, sleutels, server, token, herstel, bewaking, meldingen, toegang) draaien lokaal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
signaal_app = typer.Typer(help="Signalen registreren.", no_args_is_help=True)
casus_app = typer.Typer(help="Casussen volgen.", no_args_is_help=True)
stap_app = typer.Typer(help="Besluiten en termijnen van stappen.", no_args_is_help=True)
overdracht_app = typer.Typer(help="Warme overdracht van regie.", no_args_is_help=True)
werkproces_app = typer.Typer(help="Het werkproces tonen en controleren.", no_args_is_help=True)
for naam, sub in (
    ("signaal", signaal_app),
    ("casus", casus_app),
    ("stap", stap_app),
    ("overdracht", overdracht_app),
    ("werkproces", werkproces_app),
    ("grondslag", privacy.grondslag_app),
    ("rechten", privacy.rechten_app),
    ("bewaring", privacy.bewaring_app),
    ("audit", privacy.audit_app),
):
    app.add_typer(sub, name=naam)
app.command("rapport")(privacy.rapport_cmd)

Sleutel = Annotated[
    str | None, typer.Option("--sleutel", help="Idempotentiesleutel: dezelfde sleutel legt het één keer vast.")
]


def _sleutel(sleutel: str | None) -> str:
    """The request's idempotency key: the one given, else a fresh one (so a retry after a timeout is safe)."""
    return sleutel or f"klant-{uuid.uuid4().hex}"


# -- login ------------------------------------------------------------------------------------------------------


@app.command("login")
def login_cmd() -> None:
    """Sla een token op (van stdin, bv. aanpak token a.mentor | aanpak login) voor de volgende opdrachten."""
    token = sys.stdin.read(64 * 1024).strip()
    if not token or token.count(".") != 2 or not token.isascii() or any(c.isspace() for c in token):
        fout_console.print("[bold red]Ongeldige invoer[/]: verwacht één token (JWT) op stdin.")
        raise typer.Exit(1)
    try:
        bestand = tokenbestand.schrijf(token)
    except tokenbestand.TokenbestandFout as exc:
        fout_console.print(f"[bold red]Geweigerd:[/] {toonbaar(str(exc), 300)}")
        raise typer.Exit(1) from None
    console.print(f"Ingelogd; het token staat in {escape(str(bestand))} (alleen voor u leesbaar).")


@app.command("logout")
def logout_cmd() -> None:
    """Verwijder het opgeslagen token."""
    weg = tokenbestand.verwijder()
    console.print("Uitgelogd; het token is verwijderd." if weg else "Er was geen opgeslagen token.")


# -- signaal ------------------------------------------------------------------------------------------------------


@signaal_app.command("registreer")
@klantfouten
def registreer(
    bestand: Annotated[str | None, typer.Option("--bestand", "-f", help="JSON-document; '-' leest stdin.")] = None,
    rol: Rol = None,
    melder: Annotated[str | None, typer.Option(help="Naam van de melder.")] = None,
    telefoon: Annotated[str | None, typer.Option(help="Telefoon van de melder.")] = None,
    email: Annotated[str | None, typer.Option(help="E-mail van de melder.")] = None,
    bsn: Annotated[str | None, typer.Option(help="BSN van de jeugdige (elfproef).")] = None,
    voornamen: Annotated[str | None, typer.Option()] = None,
    tussenvoegsel: Annotated[str, typer.Option()] = "",
    achternaam: Annotated[str | None, typer.Option()] = None,
    geboortedatum: Annotated[str | None, typer.Option(help="JJJJ-MM-DD")] = None,
    wijk: Annotated[str | None, typer.Option()] = None,
    categorie: Annotated[list[str] | None, typer.Option(help="Eén of meer categorieën.")] = None,
    acuut: Annotated[bool, typer.Option("--acuut/--niet-acuut")] = False,
    zorg: Annotated[str | None, typer.Option(help="Feitelijke beschrijving van de zorg.")] = None,
    sleutel: Sleutel = None,
) -> None:
    """Registreer een signaal; het wordt gematcht en opent of voegt zich bij een casus."""
    if bestand is not None:
        from models.fouten import InvoerFout

        try:
            document = lees_document(bestand)
        except InvoerFout as exc:
            privacy.invoer_geweigerd(exc.fouten)
    else:
        document = verzoeken.signaal_uit_opties(
            melder=melder,
            telefoon=telefoon,
            email=email,
            bsn=bsn,
            voornamen=voornamen,
            tussenvoegsel=tussenvoegsel,
            achternaam=achternaam,
            geboortedatum=geboortedatum,
            wijk=wijk,
            categorieen=categorie or [],
            acuut=acuut,
            zorg=zorg,
        )
    in_document = document.get("idempotentie_sleutel") if isinstance(document, dict) else None
    sleutel_ = in_document if isinstance(in_document, str) and sleutel is None else _sleutel(sleutel)
    r = verzoek("POST", "/signalen", rol=rol, json=document, sleutel=sleutel_)
    a = r.inhoud
    if nog_bezig(r, f"Signaal {a['signaal_ref']} vastgelegd"):
        return
    if a["herhaald"]:
        console.print(
            f"Dit signaal was al geregistreerd ({a['signaal_ref']}, casus [bold]{a['casus_ref']}[/]); "
            "er is niets nieuws opgeslagen."
        )
    elif a.get("nieuwe_casus"):
        console.print(f"Signaal [bold]{a['signaal_ref']}[/] geregistreerd: nieuwe casus [bold]{a['casus_ref']}[/].")
    else:
        console.print(
            f"Signaal [bold]{a['signaal_ref']}[/] gematcht ({a.get('gematcht_op')}) met lopende casus "
            f"[bold]{a['casus_ref']}[/]; de betrokken partners worden geïnformeerd."
        )
    if a.get("gestarte_stappen"):
        console.print(f"Gestart: {', '.join(a['gestarte_stappen'])}")


@signaal_app.command("schema")
@klantfouten
def schema(rol: Rol = None) -> None:
    """Print het JSON Schema van een signaaldocument."""
    typer.echo(json.dumps(verzoek("GET", "/signaal/schema", rol=rol).inhoud, indent=2, ensure_ascii=False))


# -- postvak & casus ------------------------------------------------------------------------------------------------


@app.command("postvak")
@klantfouten
def postvak_cmd(
    rol: Rol = None,
    hele_organisatie: Annotated[
        bool, typer.Option("--hele-organisatie", help="Alle rollen van uw organisatie, niet alleen uw rol.")
    ] = False,
) -> None:
    """Wat moet er gebeuren, te laat eerst."""
    bereik = "organisatie" if hele_organisatie else "rol"
    taken: list[dict[str, Any]] = verzoek("GET", "/postvak", rol=rol, params={"bereik": bereik}).inhoud
    titel = "uw organisatie" if hele_organisatie else (rol or "uw rol")
    if not taken:
        console.print(f"Niets te doen voor {escape(titel)}.")
        return
    organisatie = taken[0]["organisatie"]
    titel = organisatie if hele_organisatie else f"{rol or taken[0]['rol']} bij {organisatie}"
    tabel = Table(title=f"Postvak {escape(titel)}")
    for kolom in ("Casus", "Wat", "Stap / overdracht", "Rol", "AVE", "Uiterlijk", "Resterend", "Status", "Versie"):
        tabel.add_column(kolom)
    for t in taken:
        tabel.add_row(
            t["casus_ref"],
            escape(t["naam"]),
            t.get("overdracht_ref") or t.get("stap") or "",
            t["rol"],
            str(t["ave"]),
            datum(t["termijn_einde"]),
            resterend(int(t["werkdagen_resterend"])),
            f"{t['status']} ({t['signalering']})" if t.get("signalering") else t["status"],
            str(t.get("versie") or ""),
        )
    console.print(tabel)
    for t in taken:
        for v in t.get("regievoorstel") or []:
            console.print(f"Regievoorstel {t['casus_ref']} ({t.get('stap') or ''}): {escape(regievoorstel_tekst(v))}")
    console.print(
        "[dim]Besluit met: aanpak stap besluit <casus> <stap> <uitkomst> [--rol <rol>] "
        "(uitkomsten: aanpak werkproces toon)[/]"
    )


@casus_app.command("tijdlijn")
@klantfouten
def tijdlijn_cmd(casus_ref: str, rol: Rol = None) -> None:
    """De stappen en de historie van een casus (zonder persoonsgegevens)."""
    tl = verzoek("GET", f"/casussen/{casus_ref}/tijdlijn", rol=rol).inhoud
    console.print(
        f"[bold]Casus {tl['casus_ref']}[/] — {tl['status']}, AVE {tl['ave']}, casusregie {tl['casusregie'] or '-'}, "
        f"procesregie {tl['procesregie'] or '-'} (werkproces {tl['werkproces']})"
    )
    stappen = Table(title="Stappen")
    for kolom in ("Stap", "Eigenaar", "Gestart", "Uiterlijk", "Afgerond", "Uitkomst", "Status"):
        stappen.add_column(kolom)
    for s in tl["stappen"]:
        stappen.add_row(
            escape(s["naam"]),
            s["eigenaar"],
            datum(s["gestart_op"]),
            datum(s["termijn_einde"]),
            datum(s["afgerond_op"]),
            s["uitkomst"] or "",
            s["status"],
        )
    console.print(stappen)
    for v in tl.get("regievoorstel") or []:
        console.print(f"Regievoorstel {escape(regievoorstel_tekst(v))}")
    historie = Table(title="Historie")
    for kolom in ("Moment", "Gebeurtenis", "Stap", "Rol", "Door", "Details"):
        historie.add_column(kolom)
    for g in tl["gebeurtenissen"]:
        details = ", ".join(f"{k}: {waarde(v)}" for k, v in g["gegevens"].items() if v is not None)
        historie.add_row(
            moment_tekst(g["moment"]), g["soort"], g["stap"] or "", g["rol"] or "", escape(g["actor"] or ""), details
        )
    console.print(historie)


casus_app.command("inzien")(privacy.inzien_cmd)


# -- stappen ----------------------------------------------------------------------------------------------------------


def _stap(casus_ref: str, stap: str, actie: str) -> str:
    return f"/casussen/{casus_ref}/stappen/{stap}/{actie}"


@stap_app.command("besluit")
@klantfouten
def besluit_cmd(
    casus_ref: str,
    stap: str,
    uitkomst: str,
    rol: Rol = None,
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
    regie_voorstel: Annotated[
        str | None,
        typer.Option(
            "--regie-voorstel", help="Bij een AVE-besluit: het regievoorstel aanvaarden (aanvaard) of ervan afwijken."
        ),
    ] = None,
    reden: Annotated[str | None, typer.Option("--reden", help="Waarom u afwijkt van het regievoorstel.")] = None,
    toelichting: Annotated[str | None, typer.Option(help="Motivering (versleuteld opgeslagen).")] = None,
    versie: Annotated[int | None, typer.Option(help="De versie van de stap die u zag (postvak).")] = None,
    sleutel: Sleutel = None,
) -> None:
    """Leg een besluit vast voor een stap; de volgende stappen starten volgens het werkproces."""
    body = verzoeken.besluit(
        uitkomst=uitkomst,
        ave=ave,
        casusregie=casusregie,
        procesregie=procesregie,
        casusregie_organisatie=casusregie_organisatie,
        procesregie_organisatie=procesregie_organisatie,
        eigenaar_organisatie=eigenaar_organisatie,
        regie_voorstel=regie_voorstel,
        regie_reden=reden,
        toelichting=toelichting,
        versie=versie,
    )
    r = verzoek("POST", _stap(casus_ref, stap, "besluit"), rol=rol, json=body, sleutel=_sleutel(sleutel))
    a = r.inhoud
    if nog_bezig(r, f"Besluit {a['besluit_ref']} vastgelegd"):
        return
    console.print(f"Besluit [bold]{a['besluit_ref']}[/]: {a['stap']} → {a['uitkomst']}.")
    toegepast = a.get("toegepast") or {}
    if toegepast.get("overdrachten"):
        console.print(f"Overdracht aangeboden: {', '.join(toegepast['overdrachten'])} (wacht op acceptatie).")
    if toegepast.get("gestarte_stappen"):
        console.print(f"Gestart: {', '.join(toegepast['gestarte_stappen'])}")
    if toegepast.get("casus_gesloten"):
        console.print(f"Casus {a['casus_ref']} is gesloten.")


@stap_app.command("opschorten")
@klantfouten
def opschorten_cmd(
    casus_ref: str, stap: str, reden: Annotated[str, typer.Option(help="Reden van de opschorting.")], rol: Rol = None
) -> None:
    """Schort de termijn van een stap op (met reden)."""
    r = verzoek("POST", _stap(casus_ref, stap, "opschorten"), rol=rol, json={"reden": reden}).inhoud
    console.print(f"Stap {r['stap']} van {r['casus_ref']} is opgeschort.")


@stap_app.command("hervatten")
@klantfouten
def hervatten_cmd(casus_ref: str, stap: str, rol: Rol = None) -> None:
    """Hervat een opgeschorte stap; de termijn schuift op met de opgeschorte werkdagen."""
    r = verzoek("POST", _stap(casus_ref, stap, "hervatten"), rol=rol).inhoud
    console.print(
        f"Stap {r['stap']} hervat na {r['werkdagen_opgeschort']} werkdag(en); uiterlijk {datum(r['termijn_einde'])}."
    )


@stap_app.command("verlengen")
@klantfouten
def verlengen_cmd(
    casus_ref: str,
    stap: str,
    aantal: int,
    reden: Annotated[str, typer.Option(help="Reden van de verlenging.")],
    rol: Rol = None,
) -> None:
    """Verleng een afgesproken termijn (niet een wettelijke) binnen de ruimte van het werkproces (met reden)."""
    body = {"aantal": aantal, "reden": reden}
    r = verzoek("POST", _stap(casus_ref, stap, "verlengen"), rol=rol, json=body).inhoud
    console.print(f"Stap {r['stap']} verlengd; uiterlijk {datum(r['termijn_einde'])}.")


@stap_app.command("review")
@klantfouten
def review_cmd(casus_ref: str, stap: str = "uitvoering_monitoring", rol: Rol = None) -> None:
    """Leg vast dat de voortgang is besproken (monitoring); de volgende review volgt het ritme van de AVE-fase."""
    r = verzoek("POST", _stap(casus_ref, stap, "review"), rol=rol).inhoud
    volgende = f"; volgende review uiterlijk {datum(r['volgende_review'])}" if r.get("volgende_review") else ""
    console.print(f"Review van {r['stap']} vastgelegd{volgende}.")


@overdracht_app.command("accepteer")
@klantfouten
def accepteer_cmd(overdracht_ref: str, rol: Rol = None) -> None:
    """Accepteer de regie die u wordt overgedragen (warme overdracht)."""
    r = verzoek("POST", f"/overdrachten/{overdracht_ref}/accepteer", rol=rol)
    o = r.inhoud["overdracht"]
    if nog_bezig(r, f"Overdracht {o['overdracht_ref']} geaccepteerd"):
        return
    console.print(f"{o['soort']} van casus {o['casus_ref']} ligt nu bij {o['naar_rol']}.")


# -- werkproces ----------------------------------------------------------------------------------------------------


@werkproces_app.command("toon")
@klantfouten
def toon(
    mermaid: Annotated[bool, typer.Option("--mermaid", help="Alleen het Mermaid-diagram.")] = False,
    rol: Rol = None,
) -> None:
    """Toon het werkproces dat nu geldt als tabel (of als Mermaid-diagram)."""
    a = verzoek("GET", "/werkproces", rol=rol).inhoud
    if mermaid:
        typer.echo(a["mermaid"])
        return
    from aanpak.cli.werkproces_weergave import stappentabel
    from models.werkproces import Werkproces

    console.print(stappentabel(Werkproces.model_validate(a["definitie"])))
    console.print("\n[bold]Mermaid[/] (plak in een Markdown-viewer):")
    console.print(a["mermaid"], markup=False, highlight=False)


@werkproces_app.command("controleer")
@klantfouten
def controleer(bestand: Path, rol: Rol = None) -> None:
    """Controleer een definitiebestand (op de server) zonder het in gebruik te nemen."""
    try:
        tekst = bestand.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        privacy.invoer_geweigerd([("bestand", "kan niet gelezen worden")])
    c = verzoek("POST", "/werkproces/controleer", rol=rol, json={"definitie": tekst}).inhoud
    console.print(
        f"{escape(str(bestand))}: geldig — {c['key']} versie {c['versie']}, {c['stappen']} stappen, "
        f"{c['rollen']} rollen."
    )

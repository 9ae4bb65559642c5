"""Client mode of the privacy protocol, retention, audit and report commands (``/api/v1`` behind each).

What an inzage prints may be personal data (that is what an authorised partner or the data subject asked for):
it goes to this terminal or a new 0600 file, never anywhere else.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from aanpak.cli.foutteksten import reden_tekst, veld_tekst
from aanpak.cli.weergave import console, fout_console, toonbaar
from aanpak.klant.gedeeld import Rol, datum, klantfouten, moment_tekst
from aanpak.klant.verbinding import KLANT_OPTIES, verzoek
from aanpak.klant.verzoeken import zonder_leeg

grondslag_app = typer.Typer(
    help="Grondslagen voor het delen: toestemming of wettelijke grondslag.", no_args_is_help=True
)
audit_app = typer.Typer(help="Het verwerkingslog: of het onveranderd is.", no_args_is_help=True)
rechten_app = typer.Typer(
    help="Verzoeken van betrokkenen (privacyloket): zoeken op BSN, inzage, correctie, beperking.",
    no_args_is_help=True,
)
bewaring_app = typer.Typer(
    help="Bewaartermijnen: tonen wat verwijderd wordt, bewaarplicht en verzoeken tot verwijdering.",
    no_args_is_help=True,
)

Doel = Annotated[str, typer.Option("--doel", help="Waarvoor u de gegevens nodig hebt, als sleutel (bv. casusoverleg).")]


def invoer_geweigerd(fouten: list[tuple[str, str]]) -> NoReturn:
    """Invalid input found before anything was sent: printed as the local CLI prints it, exit 1."""
    fout_console.print("[bold red]Ongeldige invoer[/] (er is niets gewijzigd):")
    for veld, reden in fouten[:50]:
        fout_console.print(f"  • [bold]{veld_tekst(veld, opties=KLANT_OPTIES)}[/]: {reden_tekst(reden)}")
    raise typer.Exit(1)


@klantfouten
def inzien_cmd(casus_ref: str, doel: Doel, rol: Rol = None) -> None:
    """Toon de persoonsgegevens van een casus die uw rol mag zien — en wat is achtergehouden (wordt gelogd)."""
    from aanpak.cli.redenen import REDENEN

    u = verzoek("POST", f"/casussen/{casus_ref}/inzage", rol=rol, json={"doel": doel}).inhoud
    if u.get("geweigerd") is not None:
        fout_console.print(
            f"[bold red]Geweigerd:[/] {escape(REDENEN.get(u['geweigerd'], u['geweigerd']))} "
            f"(vastgelegd in het verwerkingslog, regel {u['logregel']})."
        )
        raise typer.Exit(1)
    console.print(f"[bold]Casus {u['casus_ref']}[/] — AVE {u['ave']}, inzage als {escape(u['rol'])}")
    for o in u["getoond"]:
        console.print(
            f"\n[bold]{escape(o['titel'])}[/] [dim]({', '.join(o['categorieen'])}; "
            f"grond: {', '.join(o['grondslagen'])})[/]"
        )
        for veld, waarde in o["velden"].items():
            if waarde:
                console.print(f"  {veld}: {escape(str(waarde))}", highlight=False)
    if u["achtergehouden"]:
        tabel = Table(title="Achtergehouden")
        for kolom in ("Onderdeel", "Categorieën", "Reden"):
            tabel.add_column(kolom)
        for a in u["achtergehouden"]:
            tabel.add_row(escape(a["titel"]), ", ".join(a["categorieen"]), REDENEN.get(a["reden"], a["reden"]))
        console.print(tabel)
    console.print(f"[dim]Vastgelegd in het verwerkingslog, regel {u['logregel']}.[/]")


# -- grondslag ------------------------------------------------------------------------------------------------


@grondslag_app.command("vastleggen")
@klantfouten
def vastleggen_cmd(
    casus_ref: str,
    soort: Annotated[str, typer.Option("--soort", help="toestemming of een wettelijke grondslag.")],
    doel: Doel,
    rol: Rol = None,
    gegeven_door: Annotated[
        list[str] | None, typer.Option("--gegeven-door", help="Bij toestemming: ouders en/of jeugdige.")
    ] = None,
    ontvanger: Annotated[
        list[str] | None, typer.Option("--ontvanger", help="Rol of organisatie (herhaalbaar); leeg = alle betrokkenen.")
    ] = None,
    categorie: Annotated[
        list[str] | None, typer.Option("--categorie", help="Gegevenscategorie (herhaalbaar); leeg = alle.")
    ] = None,
    toelichting: Annotated[str | None, typer.Option(help="Bv. het artikel of het gesprek (versleuteld).")] = None,
    tot: Annotated[str | None, typer.Option("--tot", help="Geldig tot (JJJJ-MM-DD).")] = None,
    sleutel: Annotated[str | None, typer.Option("--sleutel", help="Idempotentiesleutel.")] = None,
) -> None:
    """Leg een toestemming of wettelijke grondslag vast voor het delen van gegevens in een casus."""
    if tot is not None:
        try:
            datetime.strptime(tot, "%Y-%m-%d")
        except ValueError:
            invoer_geweigerd([("tot", "geen geldige datum (JJJJ-MM-DD)")])
    body = zonder_leeg(
        {
            "soort": soort,
            "gegeven_door": gegeven_door or [],
            "ontvangers": ontvanger or [],
            "categorieen": categorie or [],
            "doel": doel,
            "toelichting": toelichting,
            "geldig_tot": tot,
        }
    )
    import uuid

    u = verzoek(
        "POST",
        f"/casussen/{casus_ref}/grondslagen",
        rol=rol,
        json=body,
        sleutel=sleutel or f"klant-{uuid.uuid4().hex}",
    ).inhoud
    herhaald = " (al vastgelegd)" if u.get("herhaald") else ""
    console.print(f"Grondslag {u['grondslag_ref']} ({u['soort']}) vastgelegd voor casus {u['casus_ref']}{herhaald}.")


@grondslag_app.command("intrekken")
@klantfouten
def intrekken_cmd(grondslag_ref: str, rol: Rol = None) -> None:
    """Trek een toestemming in (of beëindig een grondslag) vanaf nu; de vastlegging blijft bewaard."""
    u = verzoek("POST", f"/grondslagen/{grondslag_ref}/intrekken", rol=rol).inhoud
    herhaald = " (was al ingetrokken)" if u.get("herhaald") else ""
    console.print(f"Grondslag {u['grondslag_ref']} ingetrokken{herhaald}.")


@grondslag_app.command("lijst")
@klantfouten
def lijst_cmd(casus_ref: str, rol: Rol = None) -> None:
    """De grondslagen van een casus (zonder toelichting)."""
    tabel = Table(title=f"Grondslagen — casus {escape(casus_ref)}")
    for kolom in ("Ref", "Soort", "Gegeven door", "Ontvangers", "Categorieën", "Doel", "Vastgelegd", "Tot", "Status"):
        tabel.add_column(kolom)
    for g in verzoek("GET", f"/casussen/{casus_ref}/grondslagen", rol=rol).inhoud:
        status = (
            "van kracht"
            if g["van_kracht"]
            else (f"ingetrokken {datum(g['ingetrokken_op'])}" if g["ingetrokken_op"] else "verlopen")
        )
        tabel.add_row(
            g["ref"],
            g["soort"],
            ", ".join(g["gegeven_door"]) or "-",
            ", ".join(g["ontvangers"]) or "alle betrokkenen",
            ", ".join(g["categorieen"]) or "alle (need-to-know)",
            g["doel"],
            f"{datum(g['vastgelegd_op'])} {escape(g['vastgelegd_rol'])}",
            datum(g["geldig_tot"]),
            status,
        )
    console.print(tabel)


# -- audit ------------------------------------------------------------------------------------------------------


@audit_app.command("verifieer")
@klantfouten
def verifieer_cmd(
    anker: Annotated[
        list[str] | None,
        typer.Option("--anker", help="Eerder elders bewaard NUMMER:HASH om mee te vergelijken (herhaalbaar)."),
    ] = None,
    rol: Rol = None,
) -> None:
    """Controleer de hashketen van het verwerkingslog (op de server); met --anker ook tegen een bewaarde kop."""
    for i, a in enumerate(anker or []):
        nummer, _, waarde = a.partition(":")
        if not nummer.isdigit() or len(waarde) != 64:
            invoer_geweigerd([(f"--anker[{i}]", "verwacht NUMMER:HASH (64 hexadecimale tekens)")])
    v = verzoek("POST", "/audit/verifieer", rol=rol, json={"ankers": anker or []}).inhoud
    if v["in_orde"]:
        bereik = f"regels {v['eerste']}–{v['laatste']}" if v["aantal"] else "geen regels"
        console.print(f"Verwerkingslog in orde: {v['aantal']} regel(s) ({bereik}).")
        console.print(f"Kop: {v['kop_volgnummer']}:{v['kop_hash']}", highlight=False)
        if anker:
            console.print(f"{len(anker)} anker(s) kloppen.")
        return
    breuken = v["breuken"] + v["afwijkende_ankers"]
    fout_console.print(f"[bold red]Verwerkingslog NIET in orde[/]: {len(breuken)} breuk(en).")
    for b in v["breuken"]:
        fout_console.print(f"  regel {b['volgnummer']}: {toonbaar(b['probleem'])}")
    for b in v["afwijkende_ankers"]:
        fout_console.print(f"  anker {b['volgnummer']}: {toonbaar(b['probleem'])}")
    raise typer.Exit(1)


# -- rechten van betrokkenen ---------------------------------------------------------------------------------------


@rechten_app.command("zoek")
@klantfouten
def zoek_cmd(
    doel: Annotated[str, typer.Option("--doel", help="Het verzoek waarvoor u zoekt (wordt gelogd).")],
    bsn: Annotated[
        str,
        typer.Option(
            "--bsn",
            prompt="BSN",
            hide_input=True,
            help="Het BSN van de jeugdige; laat weg om het verborgen in te typen (niet in de shellgeschiedenis).",
        ),
    ],
    rol: Rol = None,
) -> None:
    """Vind de casussen (open en gesloten) van een jeugdige op BSN; elke zoekvraag komt in het verwerkingslog."""
    u = verzoek("POST", "/rechten/zoek", rol=rol, json={"bsn": bsn, "doel": doel}).inhoud
    if not u["casus_refs"]:
        console.print("Geen casus gevonden bij dit BSN (vastgelegd in het verwerkingslog).")
        return
    for ref in u["casus_refs"]:
        typer.echo(ref)


@rechten_app.command("inzage")
@klantfouten
def rechten_inzage_cmd(
    casus_ref: str,
    uitvoer: Annotated[Path | None, typer.Option(help="Schrijf naar dit bestand (anders het scherm).")] = None,
    rol: Rol = None,
) -> None:
    """Alles wat over de jeugdige is vastgelegd, met het verwerkingslog (art. 15 AVG), als JSON."""
    if uitvoer is not None and (uitvoer.is_symlink() or uitvoer.exists()):  # before anything is asked (and logged)
        invoer_geweigerd([("--uitvoer", "bestaat al (of is een koppeling); kies een nieuw bestand")])
    dossier = verzoek("POST", f"/rechten/casussen/{casus_ref}/inzage", rol=rol).inhoud
    inhoud = json.dumps(dossier, indent=2, ensure_ascii=False) + "\n"
    if uitvoer is None:
        typer.echo(inhoud, nl=False)
        return
    _schrijf_nieuw(uitvoer, inhoud)
    console.print(f"Inzage geschreven naar {escape(str(uitvoer))} ({len(dossier['casussen'])} casus(sen)).")


def _schrijf_nieuw(pad: Path, inhoud: str) -> None:
    """Created exclusively, 0600 from the first byte, never through a symbolic link."""
    pad.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(pad, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        invoer_geweigerd([("--uitvoer", "bestaat al (of is een koppeling); kies een nieuw bestand")])
    except OSError as exc:
        invoer_geweigerd([("--uitvoer", f"kan niet geschreven worden ({exc.strerror})")])
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(inhoud)


@rechten_app.command("corrigeer")
@klantfouten
def corrigeer_cmd(
    casus_ref: str,
    veld: Annotated[list[str], typer.Option("--veld", help="veld=waarde, bv. achternaam=Jansen (herhaalbaar).")],
    rol: Rol = None,
) -> None:
    """Corrigeer de identiteit van de jeugdige (art. 16 AVG); de vorige versie blijft versleuteld bewaard."""
    wijzigingen = []
    for i, paar in enumerate(veld):
        naam, is_, waarde = paar.partition("=")
        if not is_:
            invoer_geweigerd([(f"--veld[{i}]", "verwacht veld=waarde")])
        wijzigingen.append({"veld": naam.strip(), "waarde": waarde.strip()})
    u = verzoek("POST", f"/rechten/casussen/{casus_ref}/correctie", rol=rol, json={"wijzigingen": wijzigingen}).inhoud
    if u.get("herhaald"):
        console.print("Niets gewijzigd: de gegevens waren al zo.")
    else:
        console.print(f"Gecorrigeerd: {', '.join(u['velden'])} (vorige versie bewaard).")


@rechten_app.command("beperk")
@klantfouten
def beperk_cmd(
    casus_ref: str,
    reden: Annotated[str, typer.Option("--reden", help="Grond voor de beperking (art. 18 AVG).")],
    rol: Rol = None,
) -> None:
    """Beperk de verwerking: niemand krijgt de persoonsgegevens nog te zien tot de beperking is opgeheven."""
    u = verzoek("POST", f"/rechten/casussen/{casus_ref}/beperking", rol=rol, json={"reden": reden}).inhoud
    console.print("Verwerking was al beperkt." if u.get("herhaald") else "Verwerking beperkt.")


@rechten_app.command("hef-beperking-op")
@klantfouten
def hef_op_cmd(casus_ref: str, rol: Rol = None) -> None:
    """Hef de beperking van de verwerking op."""
    u = verzoek("DELETE", f"/rechten/casussen/{casus_ref}/beperking", rol=rol).inhoud
    console.print("Er was geen beperking." if u.get("herhaald") else "Beperking opgeheven.")


# -- bewaring ---------------------------------------------------------------------------------------------------------


def _aantallen(aantallen: dict[str, int]) -> str:
    return ", ".join(f"{tabel} {n}" for tabel, n in sorted(aantallen.items()))


@bewaring_app.command("toon")
@klantfouten
def bewaring_toon_cmd(rol: Rol = None) -> None:
    """Droog: wat nu over zijn bewaartermijn is en verwijderd zou worden (er verandert niets). Privacyloket."""
    o = verzoek("GET", "/bewaring", rol=rol).inhoud
    tabel = Table(title="Te verwijderen casussen")
    for kolom in ("Casus", "Gesloten", "Termijn verstreken", "Rijen"):
        tabel.add_column(kolom)
    for c in o["casussen"]:
        tabel.add_row(c["casus_ref"], datum(c["gesloten_op"]), datum(c["termijn_einde"]), _aantallen(c["aantallen"]))
    console.print(tabel if o["casussen"] else "Geen casussen over hun bewaartermijn.")
    if o["geblokkeerd"]:
        blok = Table(title="Bewaarplicht — blijft bewaard")
        for kolom in ("Casus", "Termijn verstreken", "Reden"):
            blok.add_column(kolom)
        for g in o["geblokkeerd"]:
            blok.add_row(g["casus_ref"], datum(g["termijn_einde"]), ", ".join(g["redenen"]))
        console.print(blok)
    console.print(f"Signalen zonder casus over de termijn: {', '.join(o['signalen']) or 'geen'}.")
    console.print(
        f"Verwerkingslog: {o['verwerkingslog']} regel(s), verwijderlog: {o['verwijderlog']} regel(s) te snoeien."
    )
    if o["prefect_open"]:
        console.print(f"Nog op te schonen in Prefect: {', '.join(c for _, c in o['prefect_open'])}.")


@bewaring_app.command("wis")
@klantfouten
def wis_cmd(casus_ref: str, rol: Rol = None) -> None:
    """Verzoek tot verwijdering (art. 17 AVG): wis een gesloten casus zonder bewaarplicht, ook in Prefect."""
    u = verzoek("POST", f"/bewaring/casussen/{casus_ref}/wis", rol=rol).inhoud
    weg = u["verwijderd"]
    if weg.get("al_verwijderd"):
        console.print(f"Casus {weg['ref']} was al verwijderd ({weg['verwijdering_ref']}); er is niets gewijzigd.")
    else:
        console.print(f"Casus {weg['ref']} is verwijderd ({weg['verwijdering_ref']}): {_aantallen(weg['aantallen'])}.")
    prefect = u.get("prefect")
    if prefect is None:
        console.print("Prefect wordt door de volgende bewaring-run opgeschoond.")
    else:
        console.print(f"Prefect: {_aantallen(prefect)}.")


@bewaring_app.command("blokkeer")
@klantfouten
def blokkeer_cmd(
    casus_ref: str,
    reden: Annotated[str, typer.Option("--reden", help="Waarom de casus bewaard moet blijven.")],
    tot: Annotated[str | None, typer.Option("--tot", help="Einddatum (JJJJ-MM-DD); anders tot opheffen.")] = None,
    rol: Rol = None,
) -> None:
    """Leg een bewaarplicht (juridische blokkade) vast: de casus wordt niet verwijderd, ook niet op verzoek."""
    body = zonder_leeg({"reden": reden, "tot": tot})
    b = verzoek("POST", f"/bewaring/casussen/{casus_ref}/bewaarplicht", rol=rol, json=body).inhoud
    tekst = f"tot {datum(b['tot'])}" if b.get("tot") else "tot opheffen"
    console.print(f"Bewaarplicht {b['bewaarplicht_ref']} op casus {b['casus_ref']} ({b['reden']}), {tekst}.")


@bewaring_app.command("deblokkeer")
@klantfouten
def deblokkeer_cmd(casus_ref: str, rol: Rol = None) -> None:
    """Hef de bewaarplicht van een casus op; daarna geldt weer de bewaartermijn."""
    opgeheven = verzoek("DELETE", f"/bewaring/casussen/{casus_ref}/bewaarplicht", rol=rol).inhoud
    console.print(
        f"Bewaarplicht opgeheven op casus {casus_ref}: {', '.join(b['bewaarplicht_ref'] for b in opgeheven)}."
    )


@bewaring_app.command("log")
@klantfouten
def log_cmd(
    casus: Annotated[str | None, typer.Option("--casus", help="Alleen deze casus.")] = None, rol: Rol = None
) -> None:
    """Het verwijderlog: wat wanneer op welke grond verwijderd is (referenties en aantallen). Privacyloket."""
    regels: list[dict[str, Any]] = verzoek("GET", "/bewaring/log", rol=rol, params=zonder_leeg({"casus": casus})).inhoud
    tabel = Table(title="Verwijderlog")
    for kolom in ("Ref", "Casus / signaal", "Grond", "Door", "Moment", "Rijen", "Prefect"):
        tabel.add_column(kolom)
    for r in regels:
        prefect = r.get("prefect")
        tabel.add_row(
            str(r["ref"]),
            str(r.get("casus_ref") or r.get("signaal_ref") or ""),
            str(r["grond"]),
            escape(str(r["door"])),
            moment_tekst(r.get("moment")),
            _aantallen(r["aantallen"]) if isinstance(r.get("aantallen"), dict) else "",
            _aantallen(prefect) if isinstance(prefect, dict) else "[yellow]nog niet[/]",
        )
    console.print(tabel if regels else "Het verwijderlog is leeg.")


# -- rapport ----------------------------------------------------------------------------------------------------------


@klantfouten
def rapport_cmd(
    van: Annotated[str | None, typer.Option("--van", help="Eerste dag (JJJJ-MM-DD).")] = None,
    tot: Annotated[str | None, typer.Option("--tot", help="Laatste dag, inclusief (JJJJ-MM-DD).")] = None,
    organisatie: Annotated[str | None, typer.Option("--partner", help="Alleen deze partner, bv. wijkteam.")] = None,
    wijk: Annotated[str | None, typer.Option("--wijk", help="Alleen casussen en signalen uit deze wijk.")] = None,
    uitvoer: Annotated[Path | None, typer.Option(help="Schrijf het rapport (JSON) naar dit nieuwe bestand.")] = None,
    rol: Rol = None,
) -> None:
    """Rapportage voor managers (van de server): termijnen per partner en stap, open werk, overdrachten en trends.

    Standaard de laatste twaalf maanden tot en met vandaag; het antwoord is JSON (aggregaten, geen persoonsgegevens).
    """
    for naam, dag in (("--van", van), ("--tot", tot)):
        if dag is not None:
            try:
                datetime.strptime(dag, "%Y-%m-%d")
            except ValueError:
                invoer_geweigerd([(naam, "geen geldige datum (JJJJ-MM-DD)")])
    params = zonder_leeg({"van": van, "tot": tot, "organisatie": organisatie, "wijk": wijk})
    rapport = verzoek("GET", "/rapport", rol=rol, params=params).inhoud
    inhoud = json.dumps(rapport, indent=2, ensure_ascii=False) + "\n"
    if uitvoer is None:
        typer.echo(inhoud, nl=False)
        return
    _schrijf_nieuw(uitvoer, inhoud)
    console.print(f"Rapport geschreven naar {escape(str(uitvoer))}.")

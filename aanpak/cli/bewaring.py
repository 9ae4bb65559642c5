"""`aanpak bewaring …`: retention terms (dry run and run), legal holds, and erasure requests of data subjects.

Registered in ``aanpak/cli/main.py`` with ``app.add_typer(bewaring_app, name="bewaring")``. Output names
references, reasons and counts only — never personal data.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from aanpak.cli.actor import actor_uit
from aanpak.cli.fouten import Door, domeinfouten
from aanpak.cli.weergave import console
from aanpak.config import instellingen
from aanpak.omgeving import Omgeving, standaard, zet_standaard
from aanpak.usecases import bewaring
from models.fouten import DomeinFout
from models.kalender import AMSTERDAM
from models.teksten import datum, moment_tekst

bewaring_app = typer.Typer(
    help="Bewaartermijnen: tonen wat verwijderd wordt, uitvoeren, bewaarplicht en verzoeken tot verwijdering.",
    no_args_is_help=True,
)

Als = Annotated[str, typer.Option("--als", help="Uw convenantrol (voor wis/blokkeer: het privacyloket).")]


def _aantallen(aantallen: dict[str, int]) -> str:
    return ", ".join(f"{tabel} {n}" for tabel, n in sorted(aantallen.items()))


@bewaring_app.command("toon")
@domeinfouten
def toon_cmd() -> None:
    """Droog: wat nu over zijn bewaartermijn is en verwijderd zou worden (er verandert niets)."""
    omg = standaard()
    o = bewaring.te_verwijderen(omg)
    termijnen = omg.werkprocessen.bestand()[0].bewaartermijnen
    console.print(
        f"Bewaartermijnen: gesloten casus {termijnen.gesloten_casus.tekst()}, signaal zonder casus "
        f"{termijnen.signaal_zonder_casus.tekst()}, verwerkingslog {termijnen.verwerkingslog.tekst()}, "
        f"verwijderlog {termijnen.verwijderlog.tekst()}."
    )
    tabel = Table(title="Te verwijderen casussen")
    for kolom in ("Casus", "Gesloten", "Termijn verstreken", "Rijen"):
        tabel.add_column(kolom)
    for c in o.casussen:
        tabel.add_row(c.casus_ref, datum(c.gesloten_op), datum(c.termijn_einde), _aantallen(c.aantallen))
    console.print(tabel if o.casussen else "Geen casussen over hun bewaartermijn.")
    if o.geblokkeerd:
        blok = Table(title="Bewaarplicht — blijft bewaard")
        for kolom in ("Casus", "Termijn verstreken", "Reden"):
            blok.add_column(kolom)
        for g in o.geblokkeerd:
            blok.add_row(g.casus_ref, datum(g.termijn_einde), ", ".join(g.redenen))
        console.print(blok)
    console.print(f"Signalen zonder casus over de termijn: {', '.join(o.signalen) or 'geen'}.")
    console.print(f"Verwerkingslog: {o.verwerkingslog} regel(s), verwijderlog: {o.verwijderlog} regel(s) te snoeien.")
    if o.prefect_open:
        console.print(f"Nog op te schonen in Prefect: {', '.join(c for _, c in o.prefect_open)}.")


@bewaring_app.command("uitvoeren")
@domeinfouten
def uitvoeren_cmd(
    droog: Annotated[bool, typer.Option("--droog", help="Alleen tonen, buiten Prefect (zoals 'toon').")] = False,
) -> None:
    """Voer de bewaring nu uit als Prefect-flow (dezelfde flow als de dagelijkse deployment)."""
    if droog:  # the flow takes no parameter: it always applies the terms, so the dry run stays out of Prefect
        toon_cmd()
        return
    inst = instellingen()
    if not inst.prefect:
        raise DomeinFout("de bewaring draait als Prefect-flow (AANPAK_PREFECT staat uit)")
    if inst.deployments:
        from prefect.client.schemas.objects import FlowRun
        from prefect.deployments import run_deployment

        run = run_deployment("bewaring/bewaring", timeout=600, as_subflow=False)
        assert isinstance(run, FlowRun)
        console.print(f"Prefect-run {run.name}: {run.state.name if run.state else 'onbekend'}.")
        return
    naam = _in_proces(standaard())
    console.print(f"Bewaring: {escape(naam)}. Het verslag staat in Prefect (artefact 'bewaring').")


def _in_proces(omg: Omgeving) -> str:
    from prefect.settings import temporary_settings

    from flows.bewaring import bewaring as bewaring_flow

    zet_standaard(omg)
    with temporary_settings(updates={"flows.heartbeat_frequency": None}):
        state: Any = bewaring_flow(return_state=True)
    if not state.is_completed():
        raise DomeinFout(f"de bewaring is mislukt in Prefect: {state.message or state.name}")
    return str(state.name)


@bewaring_app.command("wis")
@domeinfouten
def wis_cmd(casus_ref: str, als: Als, door: Door) -> None:
    """Verzoek tot verwijdering (art. 17 AVG): wis een gesloten casus zonder bewaarplicht, ook in Prefect."""
    omg = standaard()
    weg = bewaring.wis_op_verzoek(omg, casus_ref, actor_uit(omg, als, door, None))
    if weg.al_verwijderd:
        console.print(f"Casus {weg.ref} was al verwijderd ({weg.verwijdering_ref}); er is niets gewijzigd.")
    else:
        console.print(f"Casus {weg.ref} is verwijderd ({weg.verwijdering_ref}): {_aantallen(weg.aantallen)}.")
        n = weg.aantallen.get(bewaring.POSTVAK, 0)
        console.print(f"Lokaal postvak: {n} bericht(en) over deze casus verwijderd.")
    if not instellingen().prefect:
        console.print("Prefect staat uit: de volgende bewaring-run schoont Prefect op.")
        return
    try:
        from aanpak.prefect_opschoning import schoon_casus_op

        opgeschoond = schoon_casus_op(weg.ref)
    except Exception as exc:  # the store is done; Prefect is retried by the next bewaring run
        console.print(
            f"[yellow]Prefect nu niet opgeschoond ({type(exc).__name__});[/] de volgende bewaring-run probeert opnieuw."
        )
        return
    bewaring.noteer_prefect(omg, weg.verwijdering_ref, opgeschoond.als_dict())
    console.print(f"Prefect: {opgeschoond.flow_runs} run(s) en {opgeschoond.artefacten} artefact(en) verwijderd.")


def _einde(tot: datetime | None) -> datetime | None:
    if tot is None:
        return None
    return datetime.combine(tot.date(), time(0, 0), tzinfo=AMSTERDAM)


@bewaring_app.command("blokkeer")
@domeinfouten
def blokkeer_cmd(
    casus_ref: str,
    reden: Annotated[bewaring.Bewaarplichtreden, typer.Option("--reden", help="Waarom de casus bewaard moet blijven.")],
    als: Als,
    door: Door,
    tot: Annotated[
        datetime | None,
        typer.Option("--tot", formats=["%Y-%m-%d"], help="Einddatum (JJJJ-MM-DD); anders tot opheffen."),
    ] = None,
) -> None:
    """Leg een bewaarplicht (juridische blokkade) vast: de casus wordt niet verwijderd, ook niet op verzoek."""
    omg = standaard()
    b = bewaring.zet_bewaarplicht(omg, casus_ref, reden, actor_uit(omg, als, door, None), tot=_einde(tot))
    tekst = f"tot {datum(b.tot)}" if b.tot else "tot opheffen"
    console.print(f"Bewaarplicht {b.bewaarplicht_ref} op casus {b.casus_ref} ({b.reden}), {tekst}.")


@bewaring_app.command("deblokkeer")
@domeinfouten
def deblokkeer_cmd(casus_ref: str, als: Als, door: Door) -> None:
    """Hef de bewaarplicht van een casus op; daarna geldt weer de bewaartermijn."""
    omg = standaard()
    opgeheven = bewaring.hef_bewaarplicht_op(omg, casus_ref, actor_uit(omg, als, door, None))
    console.print(f"Bewaarplicht opgeheven op casus {casus_ref}: {', '.join(b.bewaarplicht_ref for b in opgeheven)}.")


@bewaring_app.command("log")
@domeinfouten
def log_cmd(
    casus: Annotated[str | None, typer.Option("--casus", help="Alleen deze casus.")] = None,
) -> None:
    """Het verwijderlog: wat wanneer op welke grond verwijderd is (referenties en aantallen)."""
    regels = bewaring.verwijderlog(standaard(), casus)
    tabel = Table(title="Verwijderlog")
    for kolom in ("Ref", "Casus / signaal", "Grond", "Door", "Moment", "Rijen", "Prefect"):
        tabel.add_column(kolom)
    for r in regels:
        prefect = r["prefect"]
        tabel.add_row(
            str(r["ref"]),
            str(r["casus_ref"] or r["signaal_ref"] or ""),
            str(r["grond"]),
            escape(str(r["door"])),
            moment_tekst(r["moment"]) if isinstance(r["moment"], datetime) else "",
            _aantallen(r["aantallen"]) if isinstance(r["aantallen"], dict) else "",
            _aantallen(prefect) if isinstance(prefect, dict) else "[yellow]nog niet[/]",
        )
    console.print(tabel if regels else "Het verwijderlog is leeg.")

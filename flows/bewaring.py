"""Bewaring: verwijderen wat over zijn bewaartermijn is — in de casusopslag en in Prefect.

Scheduled daily (prefect.yaml). It takes no parameter: what goes is decided by the retention terms of the definition
and the legal holds in the store alone, so a run started by hand in the Prefect UI deletes exactly what the
scheduled run would (and what is due anyway); nothing a UI user types widens or narrows it. The dry run is
``aanpak bewaring toon``, outside Prefect. Order matters:
the store is the system of record, so a case is deleted there first (one transaction, with its deletion-log
entry); then its Prefect runs and artifacts are purged and the purge is marked on the deletion-log entry. A purge
that failed is retried by the next run. The run's logs carry counts only; its ``bewaring`` artifact lists the
references and counts — Prefect's side of the deletion log.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.client.schemas.objects import State
from prefect.states import Completed

from aanpak.prefect_opschoning import Opgeschoond
from aanpak.usecases.bewaring import Gesnoeid, Overzicht, Verwijderd
from flows.weergave import geplande_naam
from models.fouten import DomeinFout
from tasks.bewaring import (
    prefect_nog_open,
    schoon_prefect_op,
    snoei_logboeken,
    verwijder_casus,
    verwijder_signaal,
    zoek_te_verwijderen,
)


def _aantallen(aantallen: dict[str, int]) -> str:
    return ", ".join(f"{tabel} {n}" for tabel, n in sorted(aantallen.items()))


def _verslag(
    overzicht: Overzicht,
    casussen: list[Verwijderd],
    signalen: list[Verwijderd],
    prefect: list[tuple[str, str, Opgeschoond]],
    overgeslagen: list[tuple[str, str]],
    gesnoeid: Gesnoeid,
) -> str:
    regels = ["# Bewaring", ""]
    regels.append(f"Moment: {overzicht.moment:%d-%m-%Y %H:%M} UTC")
    regels.append("")
    regels += ["## Verwijderd", "", "| Casus / signaal | Verwijderlog | Rijen |", "|---|---|---|"]
    regels += [f"| {v.ref} | {v.verwijdering_ref} | {_aantallen(v.aantallen)} |" for v in [*casussen, *signalen]] or [
        "| — | | |"
    ]
    regels += [
        "",
        "## Prefect opgeschoond",
        "",
        "| Casus | Verwijderlog | Flow runs | Artefacten |",
        "|---|---|---|---|",
    ]
    regels += [f"| {c} | {v} | {o.flow_runs} | {o.artefacten} |" for v, c, o in prefect] or ["| — | | | |"]
    regels += [
        "",
        f"Verwerkingslog gesnoeid: {gesnoeid.verwerkingslog} regel(s); verwijderlog: {gesnoeid.verwijderlog} regel(s).",
    ]
    if overzicht.geblokkeerd:
        regels += [
            "",
            "## Bewaarplicht (niet verwijderd)",
            "",
            "| Casus | Termijn verstreken | Reden |",
            "|---|---|---|",
        ]
        regels += [
            f"| {g.casus_ref} | {g.termijn_einde:%d-%m-%Y} | {', '.join(g.redenen)} |" for g in overzicht.geblokkeerd
        ]
    if overgeslagen:
        regels += ["", "## Overgeslagen", ""] + [f"- {ref}: {reden}" for ref, reden in overgeslagen]
    return "\n".join(regels) + "\n"


@flow(name="bewaring", flow_run_name=geplande_naam("bewaring"), persist_result=False, log_prints=False)
def bewaring() -> State[Any]:
    logger = get_run_logger()
    overzicht = zoek_te_verwijderen()
    casussen: list[Verwijderd] = []
    signalen: list[Verwijderd] = []
    prefect: list[tuple[str, str, Opgeschoond]] = []
    overgeslagen: list[tuple[str, str]] = []
    for te in overzicht.casussen:
        state = verwijder_casus(te.casus_ref, return_state=True)
        if state.is_completed():
            casussen.append(state.result())
        else:
            overgeslagen.append((te.casus_ref, _reden(state)))
    for signaal_ref in overzicht.signalen:
        gewist = verwijder_signaal(signaal_ref, return_state=True)
        if gewist.is_completed():
            signalen.append(gewist.result())
        else:
            overgeslagen.append((signaal_ref, _reden(gewist)))
    # Every case deleted in the store whose Prefect purge is still due — this run's, earlier failures, and a
    # deletion that committed before a retried task saw it as already done — read after the deletions.
    open_ = dict(prefect_nog_open())
    for verwijdering_ref, casus_ref in sorted(open_.items()):
        opschoning = schoon_prefect_op(verwijdering_ref, casus_ref, return_state=True)
        if opschoning.is_completed():
            prefect.append((verwijdering_ref, casus_ref, opschoning.result()))
        else:
            overgeslagen.append((casus_ref, "Prefect niet opgeschoond; de volgende run probeert opnieuw"))
    gesnoeid = snoei_logboeken()
    logger.info(
        "Bewaring: %d casus(sen), %d signaal/signalen, %d met bewaarplicht, %d overgeslagen",
        len(casussen),
        len(signalen),
        len(overzicht.geblokkeerd),
        len(overgeslagen),
    )
    create_markdown_artifact(
        key="bewaring",
        markdown=_verslag(overzicht, casussen, signalen, prefect, overgeslagen, gesnoeid),
        description="Bewaartermijnen: wat verwijderd is (alleen referenties en aantallen)",
    )
    naam = f"{len(casussen)} casussen verwijderd" + (f", {len(overgeslagen)} overgeslagen" if overgeslagen else "")
    return Completed(name=naam, data=len(casussen))


def _reden(state: State[Any]) -> str:
    """A failed task's reason: its message is PII-free by design (domain errors, or the error type only)."""
    try:
        state.result()
    except DomeinFout as exc:
        return exc.melding
    except Exception as exc:  # reported by type only
        return type(exc).__name__
    return state.message or "onbekend"

"""One recovery round as ``aanpak herstel`` runs it: mark dead runs Crashed, then apply what is unfinished.

The round itself (lanes, the bounded pool, the summary) is the use case ``aanpak/usecases/herstel.py``; this
module only hands it the transition runner (``aanpak/uitvoering.py``: in process, as deployment runs, or
without Prefect — as configured), which the use case layer may not import.
"""

from __future__ import annotations

from datetime import timedelta

from aanpak import uitvoering
from aanpak.config import instellingen
from aanpak.omgeving import Omgeving
from aanpak.usecases.herstel import Herstelronde, NogOnderweg, herstel


def _signaal(omg: Omgeving, signaal_ref: str) -> str:
    try:
        return uitvoering.na_signaal(omg, signaal_ref).casus_ref
    except uitvoering.NogBezig as exc:
        raise NogOnderweg(str(exc)) from None


def _besluit(omg: Omgeving, besluit_ref: str, casus_ref: str, stap: str) -> None:
    try:
        uitvoering.na_besluit(omg, besluit_ref, casus_ref, stap)
    except uitvoering.NogBezig as exc:
        raise NogOnderweg(str(exc)) from None


def herstelronde(omg: Omgeving, *, minuten: int = 5, parallel: int = 4) -> Herstelronde:
    if instellingen().prefect:
        from aanpak import prefect_zombies

        prefect_zombies.ruim_op()  # never starts a server, never fails: without Prefect there is nothing to mark
    return herstel(
        omg,
        lambda ref: _signaal(omg, ref),
        lambda b, c, s: _besluit(omg, b, c, s),
        ouder_dan=timedelta(minutes=minuten),
        parallel=parallel,
    )

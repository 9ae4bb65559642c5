"""Tasks around the case use cases. They take and return opaque references only."""

from __future__ import annotations

from prefect.artifacts import create_table_artifact

from aanpak import prefect_zombies
from aanpak.omgeving import standaard
from aanpak.usecases import besluit, bewaking, herstel, signaal
from aanpak.usecases.casusbeeld import Casusbeeld, casusbeeld
from tasks.beleid import transitietaak


@transitietaak
def verwerk_signaal(signaal_ref: str) -> signaal.SignaalVerwerkt:
    """Match the signal and open or join a case (idempotent)."""
    return signaal.verwerk_signaal(standaard(), signaal_ref)


@transitietaak
def pas_besluit_toe(besluit_ref: str) -> besluit.BesluitToegepast:
    """Close the decided step, offer handoffs, start the next steps (idempotent)."""
    return besluit.pas_besluit_toe(standaard(), besluit_ref)


@transitietaak
def bewaak() -> list[bewaking.Bewakingssignaal]:
    """One bewaking pass: reminders, escalation levels, handoffs not accepted, stagnation — each once."""
    return bewaking.bewaak(standaard())


@transitietaak
def publiceer_casusbeeld(casus_ref: str) -> Casusbeeld:
    """Update the case's keyed artifact (a new version per transition) and return the view."""
    beeld = casusbeeld(standaard(), casus_ref)
    create_table_artifact(table=beeld.tabel, key=beeld.artefact_sleutel, description=beeld.beschrijving)
    return beeld


@transitietaak
def zoek_onafgemaakt() -> herstel.Onafgemaakt:
    """Signals and decisions whose transition never completed (a lost run), after a grace period."""
    prefect_zombies.ruim_op()  # this host's runs whose process died: Crashed, before recovery re-runs them
    # Runs a dead worker on any host left Scheduled/Pending/Running past the recovery's grace period: Crashed too.
    prefect_zombies.ruim_vastgelopen_op(herstel.WACHTTIJD)
    return herstel.onafgemaakt(standaard())

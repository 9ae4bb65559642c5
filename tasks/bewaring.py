"""Tasks of the retention run. They take and return references and counts only (results are not persisted)."""

from __future__ import annotations

from aanpak import prefect_opschoning
from aanpak.omgeving import standaard
from aanpak.usecases import bewaring
from tasks.beleid import transitietaak


@transitietaak
def zoek_te_verwijderen() -> bewaring.Overzicht:
    """The dry run: what is past its term and not on hold, as refs and counts."""
    return bewaring.te_verwijderen(standaard())


@transitietaak
def verwijder_casus(casus_ref: str) -> bewaring.Verwijderd:
    """Delete one case past its term in the store (one transaction; idempotent)."""
    return bewaring.verwijder_casus(standaard(), casus_ref, bewaring.Grond.BEWAARTERMIJN, bewaring.SYSTEEM)


@transitietaak
def verwijder_signaal(signaal_ref: str) -> bewaring.Verwijderd:
    """Delete one signal that never joined a case, past its term (idempotent)."""
    return bewaring.verwijder_signaal(standaard(), signaal_ref)


@transitietaak
def schoon_prefect_op(verwijdering_ref: str, casus_ref: str) -> prefect_opschoning.Opgeschoond:
    """Delete a deleted case's flow runs and artifacts in Prefect, then mark it in the deletion log."""
    opgeschoond = prefect_opschoning.schoon_casus_op(casus_ref)
    bewaring.noteer_prefect(standaard(), verwijdering_ref, opgeschoond.als_dict())
    return opgeschoond


@transitietaak
def prefect_nog_open() -> list[tuple[str, str]]:
    """Deletions whose Prefect purge is still due (deletion ref, case ref), read after this run's deletions."""
    return bewaring.prefect_open(standaard())


@transitietaak
def snoei_logboeken() -> bewaring.Gesnoeid:
    """Prune the disclosure log and the deletion log to their own terms."""
    return bewaring.snoei_logboeken(standaard())

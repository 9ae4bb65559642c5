"""What ``/metrics`` reports from the case store: counts only, computed at scrape time, read-only.

Every number is a plain count over an indexed status column; no reference, role, organisation or step key is
returned, so nothing in a metric can point at a case. The Prefect side (pending and late runs) is counted by
the server's adapter (``aanpak/server/gezondheid.py``); this use case knows nothing of Prefect.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from sqlalchemy import func, select

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Besluit, Bezorging, Melding, Signaal, StapInstantie
from models.casus import StapStatus
from models.meldingen import BezorgingStatus, MeldingStatus

#: What recovery (``aanpak herstel``, the bewaking) picks up: unfinished for longer than this.
HERSTEL_GRENS = timedelta(minutes=5)


class Tellingen(BaseModel):
    besluiten_niet_toegepast: int
    signalen_niet_verwerkt: int
    #: Of those, unfinished for longer than HERSTEL_GRENS: a transition run was probably lost.
    achterstand_herstel: int
    #: Outbox rows not yet delivered (waiting or being delivered).
    meldingen_onbezorgd: int
    #: Outbox rows given up on, and deliveries over one channel given up on.
    meldingen_mislukt: int
    bezorgingen_mislukt: int
    #: Open steps past their due date.
    stappen_te_laat: int


def tellingen(omg: Omgeving) -> Tellingen:
    nu = omg.nu()
    grens = nu - HERSTEL_GRENS

    def aantal(*voorwaarden: object) -> int:
        return int(sessie.scalar(select(func.count()).where(*voorwaarden)) or 0)  # type: ignore[arg-type]

    with omg.uow() as sessie:
        achter = aantal(Besluit.toegepast_op.is_(None), Besluit.besloten_op <= grens) + aantal(
            Signaal.verwerkt_op.is_(None), Signaal.ontvangen_op <= grens
        )
        return Tellingen(
            besluiten_niet_toegepast=aantal(Besluit.toegepast_op.is_(None)),
            signalen_niet_verwerkt=aantal(Signaal.verwerkt_op.is_(None)),
            achterstand_herstel=achter,
            meldingen_onbezorgd=aantal(Melding.status.in_((MeldingStatus.WACHTEND, MeldingStatus.BEZORGEN))),
            meldingen_mislukt=aantal(Melding.status == MeldingStatus.MISLUKT),
            bezorgingen_mislukt=aantal(Bezorging.status == BezorgingStatus.MISLUKT),
            stappen_te_laat=aantal(StapInstantie.status == StapStatus.OPEN, StapInstantie.termijn_einde < nu),
        )

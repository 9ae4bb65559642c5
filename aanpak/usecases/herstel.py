"""Drive cases on from the store when a transition run was lost.

A signal or decision is stored before its transition runs. If that run never happened or died (worker host
gone, run deleted), the store still says so: ``signaal.verwerkt_op`` or ``besluit.toegepast_op`` is empty. The
bewaking and ``aanpak herstel`` pick these up after a grace period and apply them (idempotently).

The run that died may still say "Running" in Prefect (an in-process run has no heartbeat): the callers of each
round (``aanpak herstel``, the termijnbewaking's task) first mark this host's runs whose process is gone Crashed
(``aanpak/prefect_zombies.py``), so the managers' Runs list shows what happened and the recovery's new run is the
one that completes. This use case itself knows nothing of Prefect.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from sqlalchemy import select

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Besluit, Casus, Signaal, StapInstantie


class Onafgemaakt(BaseModel):
    signalen: list[str]
    #: (besluit_ref, casus_ref, stap)
    besluiten: list[tuple[str, str, str]]


def onafgemaakt(omg: Omgeving, ouder_dan: timedelta = timedelta(minutes=5), limiet: int = 500) -> Onafgemaakt:
    grens = omg.nu() - ouder_dan
    with omg.uow() as sessie:
        signalen = sessie.scalars(
            select(Signaal.ref)
            .where(Signaal.verwerkt_op.is_(None), Signaal.ontvangen_op <= grens)
            .order_by(Signaal.id)
            .limit(limiet)
        ).all()
        besluiten = sessie.execute(
            select(Besluit.ref, Casus.ref, StapInstantie.stap_key)
            .join(Casus, Casus.id == Besluit.casus_id)
            .join(StapInstantie, StapInstantie.id == Besluit.stap_id)
            .where(Besluit.toegepast_op.is_(None), Besluit.besloten_op <= grens)
            .order_by(Besluit.id)
            .limit(limiet)
        ).all()
    return Onafgemaakt(signalen=list(signalen), besluiten=[(b, c, s) for b, c, s in besluiten])

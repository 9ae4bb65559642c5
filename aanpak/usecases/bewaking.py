"""Deadline bewaking: find overdue steps and handoffs and record each exactly once.

Run by the scheduled Prefect deployment. Each overdue item is marked in the same transaction as its history
entry and its notification, so two runs at once (or a re-run after a crash) never report it twice.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Casus, Historie, Overdracht, StapInstantie
from aanpak.usecases.gedeeld import historie, meld
from models.casus import CasusStatus, OverdrachtStatus, StapStatus


class TeLaat(BaseModel):
    casus_ref: str
    soort: str  # stap | overdracht
    stap: str | None
    rol: str
    termijn_einde: datetime


def registreer_te_laat(omg: Omgeving, limiet: int = 1000) -> list[TeLaat]:
    nu = omg.nu()
    gevonden: list[TeLaat] = []
    with omg.uow() as sessie:
        stappen = sessie.execute(
            select(StapInstantie, Casus)
            .join(Casus, Casus.id == StapInstantie.casus_id)
            .where(
                StapInstantie.status == StapStatus.OPEN,
                StapInstantie.termijn_einde < nu,
                StapInstantie.te_laat_gemeld_op.is_(None),
                Casus.status == CasusStatus.OPEN,
            )
            .order_by(StapInstantie.termijn_einde)
            .limit(limiet)
            .with_for_update(skip_locked=True, of=StapInstantie)
        ).all()
        for stap, casus in stappen:
            stap.te_laat_gemeld_op = nu
            historie(
                sessie,
                casus,
                f"stap:{stap.id}:te-laat",
                "termijn_verstreken",
                nu,
                stap_key=stap.stap_key,
                rol=stap.eigenaar_rol,
                termijn_einde=stap.termijn_einde.isoformat(),
            )
            meld(
                sessie,
                casus,
                f"stap:{stap.id}:te-laat",
                "te_laat",
                [stap.eigenaar_rol],
                nu,
                stap_key=stap.stap_key,
                termijn_einde=stap.termijn_einde,
            )
            gevonden.append(
                TeLaat(
                    casus_ref=casus.ref,
                    soort="stap",
                    stap=stap.stap_key,
                    rol=stap.eigenaar_rol,
                    termijn_einde=stap.termijn_einde,
                )
            )
        overdrachten = sessie.execute(
            select(Overdracht, Casus)
            .join(Casus, Casus.id == Overdracht.casus_id)
            .where(Overdracht.status == OverdrachtStatus.AANGEBODEN, Overdracht.termijn_einde < nu)
            .order_by(Overdracht.termijn_einde)
            .limit(limiet)
        ).all()
        for o, casus in overdrachten:
            sleutel = f"overdracht:{o.ref}:te-laat"
            if sessie.scalar(select(Historie.id).where(Historie.sleutel == f"{casus.ref}:{sleutel}")):
                continue  # reported by an earlier run
            historie(sessie, casus, sleutel, "overdracht_te_laat", nu, rol=o.naar_rol, overdracht=o.ref)
            meld(
                sessie,
                casus,
                sleutel,
                "te_laat",
                [r for r in (o.naar_rol, o.van_rol) if r],
                nu,
                termijn_einde=o.termijn_einde,
                overdracht=o.ref,
            )
            gevonden.append(
                TeLaat(
                    casus_ref=casus.ref,
                    soort="overdracht",
                    stap=None,
                    rol=o.naar_rol,
                    termijn_einde=o.termijn_einde,
                )
            )
    return gevonden

"""Read-side queries for coordinators: a role's inbox and a case's timeline. No personal data in the results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Casus, Historie, Overdracht, StapInstantie
from aanpak.usecases.casusopslag import casus_op_ref
from aanpak.usecases.regievoorstellen import Regievoorstel, regievoorstellen
from aanpak.usecases.stappen import actieve_stappen
from models.bewaking import OPSCHORTING_OVER_MAXIMUM, opschorting_over_maximum
from models.casus import ACTIEVE_STAPSTATUSSEN, CasusStatus, OverdrachtStatus, StapStatus, kalender_voor
from models.fouten import InvoerFout
from models.kalender import lokale_datum


class Taak(BaseModel):
    casus_ref: str
    soort: str  # stap | overdracht
    stap: str | None
    naam: str
    rol: str
    organisatie: str
    status: str
    ave: int
    termijn_einde: datetime
    werkdagen_resterend: int
    te_laat: bool
    versie: int | None = None
    overdracht_ref: str | None = None
    #: A warning the bewaking also acts on, e.g. "opschorting over maximum" for a step suspended too long.
    signalering: str | None = None
    #: For a step whose outcome sets the AVE phase: the regie the convenant rules propose, per phase.
    regievoorstel: list[Regievoorstel] = []


class Gebeurtenis(BaseModel):
    moment: datetime
    soort: str
    stap: str | None
    rol: str | None
    actor: str | None
    gegevens: dict[str, Any]


class StapRegel(BaseModel):
    stap: str
    naam: str
    volgnummer: int
    status: str
    eigenaar: str
    organisatie: str | None
    gestart_op: datetime
    termijn_einde: datetime
    afgerond_op: datetime | None
    uitkomst: str | None
    versie: int


class Tijdlijn(BaseModel):
    casus_ref: str
    status: str
    ave: int
    casusregie: str | None
    procesregie: str | None
    werkproces: str
    geopend_op: datetime
    gesloten_op: datetime | None
    stappen: list[StapRegel]
    gebeurtenissen: list[Gebeurtenis]
    #: The regie proposals for the open step(s) whose outcome sets the AVE phase, per phase.
    regievoorstel: list[Regievoorstel] = []


def postvak(omg: Omgeving, *, organisatie: str, rol: str | None = None) -> list[Taak]:
    """What a role at one organisation (or all its roles) must do: overdue first, then by due date. Only that
    organisation's work: school B's coordinator sees nothing of school A's cases."""
    nu = omg.nu()
    with omg.uow() as sessie:
        _, wp = omg.werkprocessen.actueel(sessie, nu)
        register = omg.werkprocessen.register()
        if rol is not None and not wp.heeft_rol(rol):
            raise InvoerFout([("rol", f"onbekende rol '{rol}'")])
        type_ = register.type_van(organisatie)
        if not organisatie:
            raise InvoerFout([("organisatie", "noem de organisatie (sleutel uit het organisatieregister)")])
        if type_ is None:
            raise InvoerFout([("organisatie", f"onbekende organisatie '{organisatie}'")])
        if rol is not None and wp.rol(rol).organisatie != type_:
            raise InvoerFout([("organisatie", f"organisatie '{organisatie}' is geen '{wp.rol(rol).organisatie}'")])
        rollen = [rol] if rol else wp.rollen_van(type_)
        vandaag = lokale_datum(nu)
        taken: list[Taak] = []
        rijen = sessie.execute(
            select(StapInstantie, Casus)
            .join(Casus, Casus.id == StapInstantie.casus_id)
            .where(
                StapInstantie.eigenaar_rol.in_(rollen),
                StapInstantie.eigenaar_organisatie == organisatie,
                StapInstantie.status.in_(list(ACTIEVE_STAPSTATUSSEN)),
            )
        ).all()
        for stap, casus in rijen:
            cwp = omg.werkprocessen.van(sessie, casus.werkproces_id)
            kal = kalender_voor(cwp)
            taken.append(
                Taak(
                    casus_ref=casus.ref,
                    soort="stap",
                    stap=stap.stap_key,
                    naam=cwp.stap(stap.stap_key).naam,
                    rol=stap.eigenaar_rol,
                    organisatie=organisatie,
                    status=stap.status,
                    ave=casus.ave_niveau,
                    termijn_einde=stap.termijn_einde,
                    werkdagen_resterend=kal.werkdagen_tussen(vandaag, lokale_datum(stap.termijn_einde)),
                    te_laat=stap.termijn_einde < nu,
                    versie=stap.versie,
                    signalering=(
                        OPSCHORTING_OVER_MAXIMUM
                        if stap.status == StapStatus.OPGESCHORT
                        and opschorting_over_maximum(
                            cwp, kal, stap.stap_key, stap.acuut, stap.opgeschort_op, stap.opgeschort_werkdagen, nu
                        )
                        else None
                    ),
                    regievoorstel=regievoorstellen(sessie, cwp, register, casus, stap.stap_key),
                )
            )
        for o, casus in sessie.execute(
            select(Overdracht, Casus)
            .join(Casus, Casus.id == Overdracht.casus_id)
            .where(
                Overdracht.naar_rol.in_(rollen),
                Overdracht.naar_organisatie == organisatie,
                Overdracht.status == OverdrachtStatus.AANGEBODEN,
            )
        ).all():
            kal = kalender_voor(omg.werkprocessen.van(sessie, casus.werkproces_id))
            taken.append(
                Taak(
                    casus_ref=casus.ref,
                    soort="overdracht",
                    stap=None,
                    naam=f"{o.soort} overnemen",
                    rol=o.naar_rol,
                    organisatie=organisatie,
                    status=o.status,
                    ave=casus.ave_niveau,
                    termijn_einde=o.termijn_einde,
                    werkdagen_resterend=kal.werkdagen_tussen(vandaag, lokale_datum(o.termijn_einde)),
                    te_laat=o.termijn_einde < nu,
                    overdracht_ref=o.ref,
                )
            )
    return sorted(taken, key=lambda t: (not t.te_laat, t.termijn_einde))


def tijdlijn(omg: Omgeving, casus_ref: str) -> Tijdlijn:
    with omg.uow() as sessie:
        casus = casus_op_ref(sessie, casus_ref)
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        stappen = sessie.scalars(
            select(StapInstantie).where(StapInstantie.casus_id == casus.id).order_by(StapInstantie.id)
        ).all()
        historie = sessie.scalars(select(Historie).where(Historie.casus_id == casus.id).order_by(Historie.id)).all()
        register = omg.werkprocessen.register()
        voorstellen = [
            v
            for s in stappen
            if s.status in ACTIEVE_STAPSTATUSSEN
            for v in regievoorstellen(sessie, wp, register, casus, s.stap_key)
        ]
        return Tijdlijn(
            casus_ref=casus.ref,
            status=casus.status,
            ave=casus.ave_niveau,
            casusregie=casus.casusregie,
            procesregie=casus.procesregie,
            werkproces=f"{wp.key} {wp.versie}",
            geopend_op=casus.geopend_op,
            gesloten_op=casus.gesloten_op,
            stappen=[
                StapRegel(
                    stap=s.stap_key,
                    naam=wp.stap(s.stap_key).naam,
                    volgnummer=s.volgnummer,
                    status=s.status,
                    eigenaar=s.eigenaar_rol,
                    organisatie=s.eigenaar_organisatie,
                    gestart_op=s.gestart_op,
                    termijn_einde=s.termijn_einde,
                    afgerond_op=s.afgerond_op,
                    uitkomst=s.uitkomst,
                    versie=s.versie,
                )
                for s in stappen
            ],
            gebeurtenissen=[
                Gebeurtenis(
                    moment=h.moment,
                    soort=h.soort,
                    stap=h.stap_key,
                    rol=h.rol,
                    actor=h.actor,
                    gegevens=h.gegevens,
                )
                for h in historie
            ],
            regievoorstel=voorstellen,
        )


def lopende_stappen(omg: Omgeving, casus_ref: str) -> list[str]:
    with omg.uow() as sessie:
        return [s.stap_key for s in actieve_stappen(sessie, casus_op_ref(sessie, casus_ref))]


def open_casussen(omg: Omgeving) -> list[str]:
    with omg.uow() as sessie:
        return list(sessie.scalars(select(Casus.ref).where(Casus.status == CasusStatus.OPEN)))


class OpenOverdracht(BaseModel):
    ref: str
    soort: str
    naar_rol: str
    termijn_einde: datetime


def open_overdrachten_details(omg: Omgeving, casus_ref: str) -> list[OpenOverdracht]:
    with omg.uow() as sessie:
        casus = casus_op_ref(sessie, casus_ref)
        rijen = sessie.scalars(
            select(Overdracht)
            .where(Overdracht.casus_id == casus.id, Overdracht.status == OverdrachtStatus.AANGEBODEN)
            .order_by(Overdracht.id)
        )
        return [
            OpenOverdracht(ref=o.ref, soort=o.soort, naar_rol=o.naar_rol, termijn_einde=o.termijn_einde) for o in rijen
        ]

"""Building blocks the use cases share: references, history, outbox, idempotency and starting steps.

Each function works inside the caller's transaction; none commits. History and outbox rows carry unique keys,
so replaying a transition after a crash cannot write them twice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aanpak.store.schema import Casus, Historie, Melding, Overdracht, Signaal, StapInstantie, Verzoek
from models.bewaking import plan_overdracht, plan_stap, review_op
from models.binding import Partij
from models.casus import ACTIEVE_STAPSTATUSSEN, Regie, StapStatus, kalender_voor, ontvangers, start_stap
from models.fouten import Conflict, NietGevonden
from models.meldingen import Meldingsoort, MeldingStatus
from models.organisaties import Organisatieregister
from models.regietekst import regievoorstel_tekst
from models.regievoorstel import Casuskenmerken, Voorgesteld, Voorstel, voorstel
from models.werkproces import Werkproces

_ALFABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def nieuwe_ref(prefix: str) -> str:
    """Opaque, random reference (never derived from personal data), e.g. ``C-7K3M9QXD``."""
    return f"{prefix}-" + "".join(secrets.choice(_ALFABET) for _ in range(8))


def casus_op_ref(sessie: Session, ref: str, *, vergrendel: bool = False) -> Casus:
    stmt = select(Casus).where(Casus.ref == ref)
    if vergrendel:
        stmt = stmt.with_for_update()
    casus = sessie.scalar(stmt)
    if casus is None:
        raise NietGevonden(f"casus '{ref}' bestaat niet", veld="casus")
    return casus


def _partij(organisatie: str | None, rol: str | None) -> Partij | None:
    return Partij(organisatie, rol) if organisatie and rol else None


def melders_van(sessie: Session, casus: Casus) -> list[Partij]:
    rijen = sessie.execute(
        select(Signaal.melder_organisatie, Signaal.bron_rol).where(Signaal.casus_id == casus.id).order_by(Signaal.id)
    ).all()
    return list(dict.fromkeys(p for p in (_partij(o, r) for o, r in rijen) if p))


def betrokken_partijen(sessie: Session, casus: Casus) -> list[Partij]:
    """The parties that carry a case: melders, regie holders, step owners and handoff parties."""
    partijen: list[Partij | None] = [*melders_van(sessie, casus)]
    partijen += [
        _partij(casus.casusregie_organisatie, casus.casusregie),
        _partij(casus.procesregie_organisatie, casus.procesregie),
        _partij(casus.bestuurlijk_organisatie, casus.bestuurlijk),
    ]
    for o, r in sessie.execute(
        select(StapInstantie.eigenaar_organisatie, StapInstantie.eigenaar_rol)
        .where(StapInstantie.casus_id == casus.id)
        .order_by(StapInstantie.id)
    ):
        partijen.append(_partij(o, r))
    for vo, vr, no, nr in sessie.execute(
        select(Overdracht.van_organisatie, Overdracht.van_rol, Overdracht.naar_organisatie, Overdracht.naar_rol)
        .where(Overdracht.casus_id == casus.id)
        .order_by(Overdracht.id)
    ):
        partijen += [_partij(vo, vr), _partij(no, nr)]
    return list(dict.fromkeys(p for p in partijen if p))


def regie_van(sessie: Session, casus: Casus) -> Regie:
    return Regie(
        _partij(casus.casusregie_organisatie, casus.casusregie),
        _partij(casus.procesregie_organisatie, casus.procesregie),
        tuple(melders_van(sessie, casus)),
        tuple(betrokken_partijen(sessie, casus)),
    )


def zet_regie(casus: Casus, soort: str, partij: Partij | None) -> None:
    """Set casus- or procesregie to a party (role and organisation together)."""
    if soort == "casusregie":
        casus.casusregie = partij.rol if partij else None
        casus.casusregie_organisatie = partij.organisatie if partij else None
    else:
        casus.procesregie = partij.rol if partij else None
        casus.procesregie_organisatie = partij.organisatie if partij else None


def historie(
    sessie: Session,
    casus: Casus,
    sleutel: str,
    soort: str,
    nu: datetime,
    /,
    *,
    stap_key: str | None = None,
    rol: str | None = None,
    organisatie: str | None = None,
    actor: str | None = None,
    **gegevens: Any,
) -> None:
    """Append to the case history (non-personal facts only); a replayed key is ignored."""
    volledige_sleutel = f"{casus.ref}:{sleutel}"
    if sessie.scalar(select(Historie.id).where(Historie.sleutel == volledige_sleutel)) is not None:
        return
    sessie.add(
        Historie(
            casus_id=casus.id,
            moment=nu,
            soort=soort,
            stap_key=stap_key,
            rol=rol,
            organisatie=organisatie,
            actor=actor,
            gegevens=gegevens,
            sleutel=volledige_sleutel,
        )
    )


def meld(
    sessie: Session,
    casus: Casus,
    sleutel: str,
    soort: Meldingsoort,
    partijen: list[Partij],
    nu: datetime,
    /,
    *,
    stap_key: str | None = None,
    termijn_einde: datetime | None = None,
    **gegevens: Any,
) -> None:
    """Write one outbox row per recipient party in the caller's transaction (sent later, at least once)."""
    for partij in partijen:
        rol = partij.rol
        volledige_sleutel = f"{casus.ref}:{sleutel}:{rol}@{partij.organisatie}"
        if sessie.scalar(select(Melding.id).where(Melding.sleutel == volledige_sleutel)) is not None:
            continue
        sessie.add(
            Melding(
                sleutel=volledige_sleutel,
                casus_id=casus.id,
                soort=soort,
                ontvanger_rol=rol,
                ontvanger_organisatie=partij.organisatie,
                stap_key=stap_key,
                termijn_einde=termijn_einde,
                gegevens=dict(gegevens),
                status=MeldingStatus.WACHTEND,
                pogingen=0,
                volgende_poging=nu,
                aangemaakt_op=nu,
            )
        )


@dataclass(frozen=True)
class Feit:
    """A history entry: its kind, who it concerns and its non-personal facts."""

    soort: str
    stap_key: str | None = None
    rol: str | None = None
    organisatie: str | None = None
    actor: str | None = None
    gegevens: dict[str, Any] = field(default_factory=dict)


def leg_vast_en_meld(
    sessie: Session,
    casus: Casus,
    sleutel: str,
    nu: datetime,
    feit: Feit,
    melding: Meldingsoort,
    naar: list[Partij],
    /,
    *,
    stap_key: str | None = None,
    termijn_einde: datetime | None = None,
    **gegevens: Any,
) -> None:
    """Write a history entry and the outbox messages it causes, under one key, in the caller's transaction.

    The messages carry ``stap_key`` (the entry's step unless given) and ``gegevens``; no recipients, no messages.
    """
    historie(
        sessie,
        casus,
        sleutel,
        feit.soort,
        nu,
        stap_key=feit.stap_key,
        rol=feit.rol,
        organisatie=feit.organisatie,
        actor=feit.actor,
        **feit.gegevens,
    )
    meld(
        sessie,
        casus,
        sleutel,
        melding,
        naar,
        nu,
        stap_key=feit.stap_key if stap_key is None else stap_key,
        termijn_einde=termijn_einde,
        **gegevens,
    )


def actieve_stappen(sessie: Session, casus: Casus) -> list[StapInstantie]:
    return list(
        sessie.scalars(
            select(StapInstantie)
            .where(StapInstantie.casus_id == casus.id, StapInstantie.status.in_(list(ACTIEVE_STAPSTATUSSEN)))
            .order_by(StapInstantie.id)
        )
    )


def open_stap(
    sessie: Session,
    wp: Werkproces,
    casus: Casus,
    stap_key: str,
    nu: datetime,
    *,
    besluit_id: int | None,
    register: Organisatieregister,
    regie: Regie | None = None,
    organisatie: str | None = None,
) -> StapInstantie | None:
    """Start a step: row, history and notifications. A step already active in the case is not doubled.

    ``organisatie`` is the owner's organisation the opening decision named (for a role of an ambiguous type)."""
    if any(s.stap_key == stap_key for s in actieve_stappen(sessie, casus)):
        historie(sessie, casus, f"stap:{stap_key}:al-actief:{besluit_id}", "stap_al_actief", nu, stap_key=stap_key)
        return None
    regie = regie or regie_van(sessie, casus)
    start = start_stap(wp, register, kalender_voor(wp), stap_key, regie, nu, acuut=casus.acuut, organisatie=organisatie)
    volgnummer = 1 + (
        sessie.scalar(
            select(func.count())
            .select_from(StapInstantie)
            .where(StapInstantie.casus_id == casus.id, StapInstantie.stap_key == stap_key)
        )
        or 0
    )
    stap = StapInstantie(
        casus_id=casus.id,
        stap_key=stap_key,
        volgnummer=volgnummer,
        status=StapStatus.OPEN,
        eigenaar_rol=start.eigenaar_rol,
        eigenaar_organisatie=start.eigenaar.organisatie,
        acuut=casus.acuut,
        gestart_op=nu,
        termijn_einde=start.termijn_einde,
        opgeschort_werkdagen=0,
        verlengd_met=0,
        gestart_door_besluit_id=besluit_id,
    )
    plan_bewaking(wp, stap)
    stap.review_op = review_op(wp, kalender_voor(wp), stap_key, casus.ave_niveau, nu)
    sessie.add(stap)
    sessie.flush()
    definitie = wp.stap(stap_key)
    leg_vast_en_meld(
        sessie,
        casus,
        f"stap:{stap.id}:gestart",
        nu,
        Feit(
            "stap_gestart",
            stap_key=stap_key,
            rol=start.eigenaar_rol,
            organisatie=start.eigenaar.organisatie,
            gegevens={"termijn_einde": start.termijn_einde.isoformat()},
        ),
        Meldingsoort.STAP_GESTART,
        ontvangers(wp, register, [*definitie.melden.bij_start, "eigenaar"], regie, start.eigenaar),
        termijn_einde=start.termijn_einde,
        eigenaar=start.eigenaar_rol,
        eigenaar_organisatie=start.eigenaar.organisatie,
    )
    return stap


def plan_bewaking(wp: Werkproces, stap: StapInstantie) -> None:
    """(Re)compute when the bewaking must remind, escalate or flag stagnation for this step."""
    planning = plan_stap(
        wp, kalender_voor(wp), stap.stap_key, stap.termijn_einde, stap.gestart_op, stap.escalatie_niveau or 0
    )
    if (
        stap.herinnering_gemeld_op is not None
        and planning.herinnering_op is not None
        and planning.herinnering_op > stap.herinnering_gemeld_op
    ):
        stap.herinnering_gemeld_op = None  # the term moved: a new reminder for the new due date
    stap.herinnering_op = planning.herinnering_op
    stap.volgende_escalatie_op = planning.volgende_escalatie_op
    if stap.stagnatie_gemeld_op is None:
        stap.stagnatie_op = planning.stagnatie_op


def plan_overdracht_bewaking(wp: Werkproces, overdracht: Overdracht) -> None:
    planning = plan_overdracht(wp, kalender_voor(wp), overdracht.termijn_einde, overdracht.escalatie_niveau or 0)
    overdracht.volgende_escalatie_op = planning.volgende_escalatie_op
    if overdracht.stagnatie_gemeld_op is None:
        overdracht.stagnatie_op = planning.stagnatie_op


def wijzig_ave(sessie: Session, casus: Casus, niveau: int, besluit_ref: str, nu: datetime) -> None:
    oud = casus.ave_niveau
    if oud == niveau:
        return
    casus.ave_niveau = niveau
    historie(
        sessie, casus, f"besluit:{besluit_ref}:ave", "ave_gewijzigd", nu, van=oud, naar=niveau, besluit=besluit_ref
    )


def eerder_antwoord(sessie: Session, sleutel: str | None, soort: str, vingerafdruk: str) -> dict[str, Any] | None:
    """The stored answer of the same request seen before under this idempotency key.

    ``vingerafdruk`` is a keyed hash of the request: the same key with a different request is refused rather
    than silently answered with the first request's result.
    """
    if not sleutel:
        return None
    rij = sessie.get(Verzoek, f"{soort}:{sleutel}")
    if rij is None:
        return None
    if rij.resultaat.get("_vingerafdruk") != vingerafdruk:
        raise Conflict("deze idempotentiesleutel is al gebruikt voor een ander verzoek", veld="idempotentie_sleutel")
    return {k: v for k, v in rij.resultaat.items() if k != "_vingerafdruk"}


def onthoud_antwoord(
    sessie: Session, sleutel: str | None, soort: str, resultaat: dict[str, Any], nu: datetime, vingerafdruk: str
) -> None:
    if sleutel:
        sessie.add(
            Verzoek(
                sleutel=f"{soort}:{sleutel}",
                soort=soort,
                resultaat={**resultaat, "_vingerafdruk": vingerafdruk},
                moment=nu,
            )
        )


# -- regie proposal (convenant rules, since definition 2022.5) -------------------------------------------------


def kenmerken_van(sessie: Session, casus: Casus) -> Casuskenmerken:
    """The non-personal facts the regie rules select on: every signal's categories and source type, the age
    band at the latest signal, and whether the case is acute."""
    rijen = sessie.execute(
        select(Signaal.categorieen, Signaal.leeftijdsgroep, Signaal.bron_organisatie)
        .where(Signaal.casus_id == casus.id)
        .order_by(Signaal.id)
    ).all()
    return Casuskenmerken(
        categorieen=frozenset(c for cats, _, _ in rijen for c in cats),
        leeftijdsgroep=rijen[-1][1] if rijen else None,
        bronnen=frozenset(b for _, _, b in rijen),
        acuut=casus.acuut,
    )


def regievoorstel_voor(
    sessie: Session, wp: Werkproces, register: Organisatieregister, casus: Casus, ave: int
) -> Voorstel:
    return voorstel(wp, register, ave, kenmerken_van(sessie, casus), regie_van(sessie, casus))


class Regievoorstel(BaseModel):
    """What the convenant's rules propose if the case enters phase ``ave`` (roles and register keys only)."""

    ave: int
    regel: str
    regel_naam: str
    casusregie: str | None
    casusregie_organisatie: str | None
    #: The organisations to choose from where the case does not make the organisation unambiguous.
    casusregie_opties: list[str] = []
    procesregie: str | None
    procesregie_organisatie: str | None
    procesregie_opties: list[str] = []

    def tekst(self) -> str:
        """One line a coordinator reads (Dutch)."""
        return regievoorstel_tekst(self.model_dump())


def _velden(v: Voorgesteld | None) -> tuple[str | None, str | None, list[str]]:
    return (v.rol, v.organisatie, list(v.opties)) if v else (None, None, [])


def als_regievoorstel(v: Voorstel) -> Regievoorstel:
    c_rol, c_org, c_opties = _velden(v.casusregie)
    p_rol, p_org, p_opties = _velden(v.procesregie)
    return Regievoorstel(
        ave=v.ave,
        regel=v.regel.key,
        regel_naam=v.regel.naam,
        casusregie=c_rol,
        casusregie_organisatie=c_org,
        casusregie_opties=c_opties,
        procesregie=p_rol,
        procesregie_organisatie=p_org,
        procesregie_opties=p_opties,
    )


def regievoorstellen(
    sessie: Session, wp: Werkproces, register: Organisatieregister, casus: Casus, stap_key: str
) -> list[Regievoorstel]:
    """For a step whose outcome sets the AVE phase: the proposal for each phase the decision may state (none
    for other steps, or under a definition without regie rules)."""
    if wp.regievoorstellen is None or not any(u.vraagt_ave for u in wp.stap(stap_key).uitkomsten):
        return []
    kenmerken = kenmerken_van(sessie, casus)
    regie = regie_van(sessie, casus)
    return [als_regievoorstel(voorstel(wp, register, f.niveau, kenmerken, regie)) for f in wp.ave_fasen]

"""A coordinator decides a human step; the step flow applies the decision.

Recording and applying are two transactions. Recording is the coordinator's request: it validates the outcome
against the case's definition version and claims the step with a version check, so of two coordinators deciding
at once one wins and the other gets a Conflict. Applying takes only the decision reference (safe for Prefect),
closes the step, offers handoffs and starts the next steps; it is idempotent, so a crashed run is simply re-run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Besluit, Casus, Jeugdige, Overdracht, StapInstantie
from aanpak.usecases import grondslag
from aanpak.usecases.casusopslag import casus_op_ref, nieuwe_ref, regie_van, wijzig_ave, zet_regie
from aanpak.usecases.idempotentie import eerder_antwoord, onthoud_antwoord
from aanpak.usecases.regievoorstellen import regievoorstel_voor
from aanpak.usecases.stappen import actieve_stappen, open_stap, plan_overdracht_bewaking
from aanpak.usecases.vastlegging import Feit, historie, leg_vast_en_meld
from models.actor import Actor
from models.binding import Partij, controleer_actor, partij
from models.casus import (
    CasusStatus,
    OverdrachtStatus,
    Regie,
    StapStatus,
    gevolgen_van_besluit,
    kalender_voor,
    ontvangers,
)
from models.fouten import Conflict, DomeinFout, InvoerFout, NietGevonden
from models.kalender import lokale_datum
from models.meldingen import Meldingsoort
from models.privacy import Grondslagsoort
from models.regievoorstel import Regieafwijkreden, Regiekeuze, Voorgesteld, Voorstel
from models.stappen import overgang
from models.werkproces import Werkproces


class BesluitIn(BaseModel):
    """A decision at a human step, as the CLI or an API receives it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    casus_ref: str = Field(min_length=3, max_length=16)
    stap: str = Field(min_length=1, max_length=64)
    uitkomst: str = Field(min_length=1, max_length=64)
    ave_fase: int | None = Field(default=None, ge=1, le=4)
    casusregie: str | None = None
    procesregie: str | None = None
    #: The concrete organisations of new regie holders, and of the owner of the steps this decision opens,
    #: where the role's type has several organisations and the case does not make it unambiguous.
    casusregie_organisatie: str | None = Field(default=None, max_length=64)
    procesregie_organisatie: str | None = Field(default=None, max_length=64)
    eigenaar_organisatie: str | None = Field(default=None, max_length=64)
    #: At an outcome that sets the AVE phase (definition 2022.5 on): accept the convenant rules' regie
    #: proposal, or depart from it naming other holders and a reason from the fixed list.
    regie_voorstel: Regiekeuze | None = None
    regie_reden: Regieafwijkreden | None = None
    #: Free-text motivation; personal data, stored encrypted, never sent to Prefect.
    toelichting: str | None = Field(default=None, max_length=10_000)
    #: The step version the coordinator looked at; a newer one means someone else acted first.
    verwachte_versie: int | None = None
    idempotentie_sleutel: str | None = Field(default=None, min_length=8, max_length=128)


class BesluitGenomen(BaseModel):
    besluit_ref: str
    casus_ref: str
    stap: str
    uitkomst: str
    herhaald: bool = False


class BesluitToegepast(BaseModel):
    """References and non-personal facts only: safe as a Prefect task result."""

    besluit_ref: str
    casus_ref: str
    stap: str
    uitkomst: str
    gestarte_stappen: list[str]
    overdrachten: list[str]
    casus_gesloten: bool
    al_toegepast: bool = False
    #: The AVE phase this decision set (a non-personal number), None when it set none.
    ave_fase: int | None = None


def _actieve_stap(sessie: Session, casus: Casus, stap_key: str) -> StapInstantie:
    for stap in actieve_stappen(sessie, casus):
        if stap.stap_key == stap_key:
            return stap
    laatste = sessie.scalars(
        select(StapInstantie)
        .where(StapInstantie.casus_id == casus.id, StapInstantie.stap_key == stap_key)
        .order_by(StapInstantie.id.desc())
    ).first()
    if laatste is not None and laatste.status == StapStatus.AFGEROND:
        raise Conflict(f"stap '{stap_key}' van casus {casus.ref} is al afgerond", veld="stap")
    raise NietGevonden(f"casus {casus.ref} heeft geen lopende stap '{stap_key}'", veld="stap")


def _controleer_grondslag(
    omg: Omgeving, sessie: Session, wp: Werkproces, casus: Casus, stap_key: str, uitkomst: str
) -> None:
    """An outcome that claims a ground (e.g. "toestemming vastgelegd") needs that ground in force on the case,
    so the history cannot say consent was recorded while it was not."""
    definitie = wp.stap(stap_key).uitkomst(uitkomst)
    if definitie is None or definitie.vereist_grondslag is None:
        return
    soort = Grondslagsoort(definitie.vereist_grondslag.value)
    nu = omg.nu()
    jeugdige = sessie.get(Jeugdige, casus.jeugdige_id)
    assert jeugdige is not None
    leeftijd = grondslag.identiteit(omg, jeugdige).leeftijd_op(lokale_datum(nu))  # for "in force": never shown
    if not any(r.soort == soort and r.van_kracht(nu, leeftijd) for r in grondslag.regels(sessie, casus)):
        raise DomeinFout(
            f"uitkomst '{uitkomst}' vraagt een vastgelegde grondslag '{soort.value}' die van kracht is; "
            "leg die eerst vast",
            veld="uitkomst",
        )


@dataclass(frozen=True)
class _Regie:
    """The regie a decision names after weighing the proposal (what the decision row stores)."""

    casusregie: str | None
    casusregie_organisatie: str | None
    procesregie: str | None
    procesregie_organisatie: str | None
    voorstel: Voorstel | None = None


def _kies_regie(sessie: Session, wp: Werkproces, omg: Omgeving, casus: Casus, invoer: BesluitIn) -> _Regie:
    """Weigh the regie proposal: a decision that sets the AVE phase accepts it or departs from it with a
    reason; either way it names what was proposed. Refusals name the field (never a submitted value)."""
    zoals_genoemd = _Regie(
        invoer.casusregie, invoer.casusregie_organisatie, invoer.procesregie, invoer.procesregie_organisatie
    )
    uitkomst = wp.stap(invoer.stap).uitkomst(invoer.uitkomst)
    if wp.regievoorstellen is None or uitkomst is None or not uitkomst.vraagt_ave:
        if invoer.regie_voorstel is not None or invoer.regie_reden is not None:
            waarom = (
                f"werkproces {wp.versie} kent geen regievoorstel"
                if wp.regievoorstellen is None
                else f"uitkomst '{invoer.uitkomst}' bepaalt geen AVE-fase of regie"
            )
            raise InvoerFout([("regie_voorstel" if invoer.regie_voorstel is not None else "regie_reden", waarom)])
        return zoals_genoemd
    if invoer.ave_fase is None:
        return zoals_genoemd  # refused below naming ave_fase
    v = regievoorstel_voor(sessie, wp, omg.werkprocessen.register(), casus, invoer.ave_fase)
    beschrijving = f"regel {v.regel.key}: casusregie {v.casusregie or 'geen'}, procesregie {v.procesregie or 'geen'}"
    if invoer.regie_voorstel is None:
        raise InvoerFout(
            [("regie_voorstel", f"aanvaard het regievoorstel of wijk ervan af met een reden ({beschrijving})")]
        )
    gekozen: dict[str, tuple[str | None, str | None]] = {}
    afwijkend = False
    for soort, voorgesteld in (("casusregie", v.casusregie), ("procesregie", v.procesregie)):
        rol: str | None = getattr(invoer, soort)
        org: str | None = getattr(invoer, f"{soort}_organisatie")
        rol_anders = rol is not None and (voorgesteld is None or rol != voorgesteld.rol)
        org_anders = org is not None and _org_anders(voorgesteld, rol, org)
        if invoer.regie_voorstel == Regiekeuze.AANVAARD and (rol_anders or org_anders):
            veld = soort if rol_anders else f"{soort}_organisatie"
            raise InvoerFout([(veld, f"wijkt af van het regievoorstel ({beschrijving}); kies afwijken met een reden")])
        afwijkend = afwijkend or rol_anders or org_anders
        gekozen_rol = rol or (voorgesteld.rol if voorgesteld else None)
        zelfde_rol = voorgesteld is not None and gekozen_rol == voorgesteld.rol
        gekozen[soort] = (gekozen_rol, org or (voorgesteld.organisatie if zelfde_rol and voorgesteld else None))
    if invoer.regie_voorstel == Regiekeuze.AANVAARD and invoer.regie_reden is not None:
        raise InvoerFout([("regie_reden", "een reden hoort alleen bij afwijken van het regievoorstel")])
    if invoer.regie_voorstel == Regiekeuze.AFWIJKEN:
        if invoer.regie_reden is None:
            raise InvoerFout([("regie_reden", "noem de reden van afwijken van het regievoorstel")])
        if not afwijkend:
            raise InvoerFout(
                [
                    (
                        "regie_voorstel",
                        f"afwijken vraagt een andere casusregie of procesregie dan het voorstel ({beschrijving})",
                    )
                ]
            )
    return _Regie(*gekozen["casusregie"], *gekozen["procesregie"], voorstel=v)


def _org_anders(voorgesteld: Voorgesteld | None, rol: str | None, org: str) -> bool:
    """A named organisation departs from the proposal when the proposal already fixed another one for that
    role (naming one where the proposal leaves the choice open is accepting it)."""
    if voorgesteld is None:
        return True
    if rol is not None and rol != voorgesteld.rol:
        return False  # counted as a different role already
    return voorgesteld.organisatie is not None and voorgesteld.organisatie != org


def neem_besluit(omg: Omgeving, invoer: BesluitIn, actor: Actor) -> BesluitGenomen:
    """Record ``actor``'s decision; only the step's owner or a regie holder — at their own organisation —
    may decide."""
    nu = omg.nu()
    with omg.uow() as sessie:
        verzoek = f"{invoer.model_dump_json(exclude={'idempotentie_sleutel'})}|{actor}"
        vingerafdruk = omg.sleutels.vingerafdruk(verzoek, "verzoek")
        eerder = eerder_antwoord(sessie, invoer.idempotentie_sleutel, "besluit", vingerafdruk)
        if eerder is not None:
            return BesluitGenomen.model_validate({**eerder, "herhaald": True})
        casus = casus_op_ref(sessie, invoer.casus_ref)
        if casus.status != CasusStatus.OPEN:
            raise Conflict(f"casus {casus.ref} is gesloten", veld="casus")
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        if not wp.heeft_stap(invoer.stap):
            raise InvoerFout([("stap", f"onbekende stap '{invoer.stap}' in werkproces {wp.versie}")])
        register = omg.werkprocessen.register()
        controleer_actor(wp, register, actor)
        stap = _actieve_stap(sessie, casus, invoer.stap)
        if invoer.verwachte_versie is not None and invoer.verwachte_versie != stap.versie:
            raise Conflict(f"stap '{stap.stap_key}' is gewijzigd (versie {stap.versie}); bekijk hem opnieuw")
        if stap.status == StapStatus.BESLOTEN:
            raise Conflict(f"over stap '{stap.stap_key}' is al besloten", veld="stap")
        if stap.status == StapStatus.OPGESCHORT:
            raise DomeinFout(f"stap '{stap.stap_key}' is opgeschort; hervat hem eerst", veld="stap")
        regie = regie_van(sessie, casus)
        bevoegd = {Partij(stap.eigenaar_organisatie or "", stap.eigenaar_rol), regie.casusregie, regie.procesregie}
        if partij(actor) not in bevoegd:
            raise DomeinFout(
                f"rol '{actor.rol}' van '{actor.organisatie}' mag over stap '{stap.stap_key}' niet besluiten "
                f"(wel: {', '.join(sorted(str(p) for p in bevoegd if p))})",
                veld="actor_rol",
            )
        keuze = _kies_regie(sessie, wp, omg, casus, invoer)
        # Validates outcome, AVE phase, roles and organisations against the case's own definition version.
        gevolgen = gevolgen_van_besluit(
            wp,
            register,
            stap.stap_key,
            invoer.uitkomst,
            regie,
            casus.ave_niveau,
            invoer.ave_fase,
            keuze.casusregie,
            keuze.procesregie,
            casusregie_organisatie=keuze.casusregie_organisatie,
            procesregie_organisatie=keuze.procesregie_organisatie,
            eigenaar_organisatie=invoer.eigenaar_organisatie,
            fase_standaard=wp.regievoorstellen is None,
        )
        _controleer_grondslag(omg, sessie, wp, casus, stap.stap_key, invoer.uitkomst)
        nieuwe_regie = {o.soort.value: o.naar for o in gevolgen.overdrachten}
        if gevolgen.procesregie_direct is not None:
            nieuwe_regie["procesregie"] = gevolgen.procesregie_direct
        besluit = Besluit(
            ref=nieuwe_ref("B"),
            casus_id=casus.id,
            stap_id=stap.id,
            uitkomst=invoer.uitkomst,
            ave_niveau=invoer.ave_fase,
            casusregie=keuze.casusregie,
            procesregie=keuze.procesregie,
            # The resolved organisations are stored, so applying later cannot resolve differently.
            casusregie_organisatie=nieuwe_regie["casusregie"].organisatie if "casusregie" in nieuwe_regie else None,
            procesregie_organisatie=(
                nieuwe_regie["procesregie"].organisatie if "procesregie" in nieuwe_regie else None
            ),
            eigenaar_organisatie=invoer.eigenaar_organisatie,
            actor=actor.persoon,
            actor_rol=actor.rol,
            actor_organisatie=actor.organisatie,
            toelichting_versleuteld=(
                omg.sleutels.versleutel(invoer.toelichting.encode(), "besluit.toelichting")
                if invoer.toelichting
                else None
            ),
            besloten_op=nu,
            toegepast_op=None,
        )
        sessie.add(besluit)
        # Bumps the version: a concurrent decision now conflicts.
        stap.status = overgang(stap.status, StapStatus.BESLOTEN)
        sessie.flush()
        historie(
            sessie,
            casus,
            f"besluit:{besluit.ref}",
            "besluit_genomen",
            nu,
            stap_key=stap.stap_key,
            rol=actor.rol,
            organisatie=actor.organisatie,
            actor=actor.persoon,
            besluit=besluit.ref,
            uitkomst=invoer.uitkomst,
            ave_fase=invoer.ave_fase,
        )
        if keuze.voorstel is not None:
            _log_regiekeuze(sessie, casus, besluit, invoer, keuze.voorstel, regie, nieuwe_regie, actor, nu)
        resultaat = BesluitGenomen(
            besluit_ref=besluit.ref, casus_ref=casus.ref, stap=stap.stap_key, uitkomst=besluit.uitkomst
        )
        onthoud_antwoord(sessie, invoer.idempotentie_sleutel, "besluit", resultaat.model_dump(), nu, vingerafdruk)
        return resultaat


def _log_regiekeuze(
    sessie: Session,
    casus: Casus,
    besluit: Besluit,
    invoer: BesluitIn,
    v: Voorstel,
    regie: Regie,
    nieuwe_regie: dict[str, Partij],
    actor: Actor,
    nu: datetime,
) -> None:
    """The accepted or overridden proposal as a decision in the history: who, which rule proposed what, what
    was chosen and why (a reason key, never free text)."""
    aanvaard = invoer.regie_voorstel == Regiekeuze.AANVAARD
    gekozen_casusregie = nieuwe_regie.get("casusregie") or regie.casusregie
    gekozen_procesregie = nieuwe_regie.get("procesregie") or regie.procesregie
    historie(
        sessie,
        casus,
        f"besluit:{besluit.ref}:regievoorstel",
        "regievoorstel_aanvaard" if aanvaard else "regievoorstel_afgeweken",
        nu,
        stap_key=invoer.stap,
        rol=actor.rol,
        organisatie=actor.organisatie,
        actor=actor.persoon,
        besluit=besluit.ref,
        ave_fase=v.ave,
        regel=v.regel.key,
        voorstel_casusregie=str(v.casusregie) if v.casusregie else None,
        voorstel_procesregie=str(v.procesregie) if v.procesregie else None,
        casusregie=str(gekozen_casusregie) if gekozen_casusregie else None,
        procesregie=str(gekozen_procesregie) if gekozen_procesregie else None,
        reden=invoer.regie_reden.value if invoer.regie_reden else None,
    )


def pas_besluit_toe(omg: Omgeving, besluit_ref: str) -> BesluitToegepast:
    nu = omg.nu()
    with omg.uow() as sessie:
        besluit = sessie.scalar(select(Besluit).where(Besluit.ref == besluit_ref))
        if besluit is None:
            raise NietGevonden(f"besluit '{besluit_ref}' bestaat niet", veld="besluit")
        casus = sessie.scalar(select(Casus).where(Casus.id == besluit.casus_id).with_for_update())
        assert casus is not None
        # Re-read under the case lock: a concurrent run (a retried flow, recovery) may have applied it meanwhile.
        sessie.refresh(besluit, with_for_update=True)
        stap = sessie.get_one(StapInstantie, besluit.stap_id)
        if besluit.toegepast_op is not None:
            return _samenvatting(sessie, besluit, casus, stap, al_toegepast=True)
        if casus.status != CasusStatus.OPEN or stap.status != StapStatus.BESLOTEN:
            # The case closed (or the step lapsed) in another branch after the decision was recorded: the
            # decision lapses too, and is marked so that recovery does not try it again.
            besluit.toegepast_op = nu
            historie(
                sessie,
                casus,
                f"besluit:{besluit.ref}:vervallen",
                "besluit_vervallen",
                nu,
                stap_key=stap.stap_key,
                besluit=besluit.ref,
                reden=f"casus {casus.status}, stap {stap.status}",
            )
            sessie.flush()
            return _samenvatting(sessie, besluit, casus, stap, al_toegepast=True)
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        register = omg.werkprocessen.register()
        regie = regie_van(sessie, casus)
        gevolgen = gevolgen_van_besluit(
            wp,
            register,
            stap.stap_key,
            besluit.uitkomst,
            regie,
            casus.ave_niveau,
            besluit.ave_niveau,
            besluit.casusregie,
            besluit.procesregie,
            casusregie_organisatie=besluit.casusregie_organisatie,
            procesregie_organisatie=besluit.procesregie_organisatie,
            eigenaar_organisatie=besluit.eigenaar_organisatie,
            fase_standaard=wp.regievoorstellen is None,
        )
        stap.status = overgang(stap.status, StapStatus.AFGEROND)
        stap.afgerond_op = nu
        stap.uitkomst = besluit.uitkomst
        stap.actor = besluit.actor
        leg_vast_en_meld(
            sessie,
            casus,
            f"stap:{stap.id}:afgerond",
            nu,
            Feit(
                "stap_afgerond",
                stap_key=stap.stap_key,
                rol=besluit.actor_rol,
                organisatie=besluit.actor_organisatie,
                actor=besluit.actor,
                gegevens={"uitkomst": besluit.uitkomst, "besluit": besluit.ref},
            ),
            Meldingsoort.STAP_AFGEROND,
            ontvangers(
                wp,
                register,
                wp.stap(stap.stap_key).melden.bij_afronding,
                regie,
                Partij(stap.eigenaar_organisatie or "", stap.eigenaar_rol),
            ),
            uitkomst=besluit.uitkomst,
        )
        besluit.toegepast_op = nu
        if gevolgen.sluit_casus:
            _sluit(sessie, casus, besluit, nu)
            sessie.flush()
            return _samenvatting(sessie, besluit, casus, stap)
        if gevolgen.procesregie_direct:
            zet_regie(casus, "procesregie", gevolgen.procesregie_direct)
            historie(
                sessie,
                casus,
                f"besluit:{besluit.ref}:procesregie",
                "regie_toegewezen",
                nu,
                rol=gevolgen.procesregie_direct.rol,
                organisatie=gevolgen.procesregie_direct.organisatie,
                regie="procesregie",
            )
        for aanbod in gevolgen.overdrachten:
            _bied_overdracht_aan(wp, sessie, casus, besluit, aanbod.soort, aanbod.van, aanbod.naar, nu)
        if gevolgen.ave_niveau is not None and not gevolgen.overdrachten:
            wijzig_ave(sessie, casus, gevolgen.ave_niveau, besluit.ref, nu)
        regie = regie_van(sessie, casus)
        for volgende in gevolgen.volgende:
            open_stap(
                sessie,
                wp,
                casus,
                volgende,
                nu,
                besluit_id=besluit.id,
                register=register,
                regie=regie,
                organisatie=besluit.eigenaar_organisatie,
            )
        sessie.flush()
        return _samenvatting(sessie, besluit, casus, stap)


def _bied_overdracht_aan(
    wp: Werkproces,
    sessie: Session,
    casus: Casus,
    besluit: Besluit,
    soort: str,
    van: Partij | None,
    naar: Partij,
    nu: datetime,
) -> None:
    van_rol, naar_rol = (van.rol if van else None), naar.rol
    termijn = wp.overdracht.termijn
    einde = kalender_voor(wp).termijn_einde(nu, termijn.aantal, termijn.eenheid)
    overdracht = Overdracht(
        ref=nieuwe_ref("O"),
        casus_id=casus.id,
        besluit_id=besluit.id,
        soort=soort,
        van_rol=van_rol,
        naar_rol=naar_rol,
        van_organisatie=van.organisatie if van else None,
        naar_organisatie=naar.organisatie,
        status=OverdrachtStatus.AANGEBODEN,
        aangeboden_op=nu,
        termijn_einde=einde,
    )
    plan_overdracht_bewaking(wp, overdracht)
    sessie.add(overdracht)
    sessie.flush()
    leg_vast_en_meld(
        sessie,
        casus,
        f"overdracht:{overdracht.ref}:aangeboden",
        nu,
        Feit(
            "overdracht_aangeboden",
            rol=naar_rol,
            organisatie=naar.organisatie,
            gegevens={"soort": soort, "van": van_rol, "overdracht": overdracht.ref, "termijn_einde": einde.isoformat()},
        ),
        Meldingsoort.OVERDRACHT_AANGEBODEN,
        [p for p in (naar, van) if p],
        termijn_einde=einde,
        overdracht=overdracht.ref,
        soort=soort,
        van_rol=van_rol,
        naar_rol=naar_rol,
    )


def _sluit(sessie: Session, casus: Casus, besluit: Besluit, nu: datetime) -> None:
    for open_ in actieve_stappen(sessie, casus):
        open_.status = overgang(open_.status, StapStatus.VERVALLEN)
        open_.afgerond_op = nu
        historie(sessie, casus, f"stap:{open_.id}:vervallen", "stap_vervallen", nu, stap_key=open_.stap_key)
    for o in sessie.scalars(
        select(Overdracht).where(Overdracht.casus_id == casus.id, Overdracht.status == OverdrachtStatus.AANGEBODEN)
    ):
        o.status = OverdrachtStatus.VERVALLEN
    casus.status = CasusStatus.GESLOTEN
    casus.gesloten_op = nu
    historie(
        sessie,
        casus,
        "gesloten",
        "casus_gesloten",
        nu,
        rol=besluit.actor_rol,
        organisatie=besluit.actor_organisatie,
        actor=besluit.actor,
        besluit=besluit.ref,
    )


def _samenvatting(
    sessie: Session, besluit: Besluit, casus: Casus, stap: StapInstantie, *, al_toegepast: bool = False
) -> BesluitToegepast:
    gestart = sessie.scalars(
        select(StapInstantie.stap_key)
        .where(StapInstantie.gestart_door_besluit_id == besluit.id)
        .order_by(StapInstantie.id)
    ).all()
    overdrachten = sessie.scalars(
        select(Overdracht.ref).where(Overdracht.besluit_id == besluit.id).order_by(Overdracht.id)
    ).all()
    return BesluitToegepast(
        besluit_ref=besluit.ref,
        casus_ref=casus.ref,
        stap=stap.stap_key,
        uitkomst=besluit.uitkomst,
        gestarte_stappen=list(gestart),
        overdrachten=list(overdrachten),
        casus_gesloten=casus.status == CasusStatus.GESLOTEN,
        al_toegepast=al_toegepast,
        ave_fase=besluit.ave_niveau,
    )

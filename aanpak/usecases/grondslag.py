"""Record and withdraw the grounds for sharing a case's personal data (consent or a legal basis).

No disclosure without a ground (domain.md §11): ``inzage`` shows a category to a partner only when a ground in
force covers it. Recording checks who may consent for the youth's age (§6.3); the ground's free-text
explanation is personal and stored encrypted. Each recording and withdrawal is one transaction with its case
history entry and its disclosure-log entry.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from aanpak.omgeving import Omgeving
from aanpak.store.schema import (
    Beperking,
    Casus,
    Grondslag,
    Jeugdige,
    Melding,
    Overdracht,
    Signaal,
    StapInstantie,
)
from aanpak.usecases import logboek
from aanpak.usecases.casusopslag import casus_op_ref, nieuwe_ref
from aanpak.usecases.idempotentie import eerder_antwoord, onthoud_antwoord
from aanpak.usecases.vastlegging import historie
from models.actor import Actor
from models.binding import Partij, controleer_actor, partij
from models.casus import CasusStatus
from models.fouten import DomeinFout, InvoerFout, NietGevonden
from models.kalender import AMSTERDAM, lokale_datum
from models.privacy import GrondslagRegel, Grondslagsoort, Toestemminggever, toestemming_fout
from models.signaal import Jeugdige as JeugdigeIn
from models.werkproces import Gegevenscategorie, Werkproces

#: A purpose is a key (``casusoverleg``, ``veiligheidsplan``), never free text: it goes to the disclosure log.
DOEL_PATROON = r"^[a-z][a-z0-9_]{2,63}$"


class GrondslagIn(BaseModel):
    """A consent or legal-basis record as a coordinator enters it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    casus_ref: str = Field(min_length=3, max_length=16)
    soort: Grondslagsoort
    gegeven_door: list[Toestemminggever] = Field(default_factory=list)
    ontvangers: list[str] = Field(default_factory=list)
    categorieen: list[Gegevenscategorie] = Field(default_factory=list)
    doel: str = Field(pattern=DOEL_PATROON)
    toelichting: str | None = Field(default=None, max_length=4000)
    geldig_tot: date | None = None
    idempotentie_sleutel: str | None = Field(default=None, min_length=8, max_length=128)


class GrondslagVastgelegd(BaseModel):
    grondslag_ref: str
    casus_ref: str
    soort: str
    herhaald: bool = False


class GrondslagOverzicht(BaseModel):
    """A ground without its (personal) explanation: safe to list."""

    ref: str
    soort: str
    gegeven_door: list[str]
    ontvangers: list[str]
    categorieen: list[str]
    doel: str
    vastgelegd_door: str
    vastgelegd_rol: str
    vastgelegd_op: datetime
    geldig_tot: datetime | None
    ingetrokken_op: datetime | None
    van_kracht: bool


# -- helpers shared by the privacy use cases ------------------------------------------------------------------


def verantwoordelijke_partijen(sessie: Session, casus: Casus) -> set[Partij]:
    """The parties (role at an organisation) that carry the case: they signalled, own(ed) a step, hold regie
    or were offered a handoff.

    Only they record or withdraw grounds; a party that was merely told (an escalation to a team lead) does not.
    """
    partijen = {Partij(o, r) for o, r in _paren(casus) if o and r}
    for kolommen in (
        (Signaal.melder_organisatie, Signaal.bron_rol, Signaal.casus_id),
        (StapInstantie.eigenaar_organisatie, StapInstantie.eigenaar_rol, StapInstantie.casus_id),
        (Overdracht.naar_organisatie, Overdracht.naar_rol, Overdracht.casus_id),
    ):
        org, rol, casus_id = kolommen
        partijen |= {Partij(o, r) for o, r in sessie.execute(select(org, rol).where(casus_id == casus.id)) if o}
    return partijen


def _paren(casus: Casus) -> list[tuple[str | None, str | None]]:
    return [
        (casus.casusregie_organisatie, casus.casusregie),
        (casus.procesregie_organisatie, casus.procesregie),
        (casus.bestuurlijk_organisatie, casus.bestuurlijk),
    ]


def betrokken_partijen(sessie: Session, casus: Casus) -> set[Partij]:
    """The parties involved in a case: those that carry it, and those told about it (who must act on it).
    School B's coordinator is none of these in school A's case."""
    partijen = verantwoordelijke_partijen(sessie, casus)
    rijen = sessie.execute(
        select(Melding.ontvanger_organisatie, Melding.ontvanger_rol).where(Melding.casus_id == casus.id)
    )
    partijen |= {Partij(o, r) for o, r in rijen if o}
    return partijen


def bekende_rol(wp: Werkproces, rol: str, veld: str = "actor_rol") -> str:
    if not wp.heeft_rol(rol):
        raise InvoerFout([(veld, f"onbekende rol '{rol}'")])
    return wp.rol(rol).organisatie


def loket(wp: Werkproces, rol: str, wat: str = "verzoeken van betrokkenen afhandelen") -> str:
    """Only the privacyloket of the definition answers requests of data subjects; returns its organisation."""
    organisatie = bekende_rol(wp, rol)
    if rol not in wp.privacy.loket:
        raise DomeinFout(
            f"alleen het privacyloket ({', '.join(wp.privacy.loket) or 'geen'}) mag {wat}", veld="actor_rol"
        )
    return organisatie


def _regel(g: Grondslag) -> GrondslagRegel:
    return GrondslagRegel(
        ref=g.ref,
        soort=Grondslagsoort(g.soort),
        ontvangers=frozenset(g.ontvangers),
        categorieen=frozenset(g.categorieen),
        doel=g.doel,
        vastgelegd_op=g.vastgelegd_op,
        geldig_tot=g.geldig_tot,
        ingetrokken_op=g.ingetrokken_op,
        gegeven_door=frozenset(Toestemminggever(x) for x in g.gegeven_door),
    )


def _grondslagen(sessie: Session, casus: Casus) -> list[Grondslag]:
    return list(sessie.scalars(select(Grondslag).where(Grondslag.casus_id == casus.id).order_by(Grondslag.id)))


def regels(sessie: Session, casus: Casus) -> list[GrondslagRegel]:
    return [_regel(g) for g in _grondslagen(sessie, casus)]


def beperkt(sessie: Session, jeugdige_id: int) -> Beperking | None:
    """The restriction of processing in force for this youth, if any."""
    return sessie.scalar(
        select(Beperking).where(Beperking.jeugdige_id == jeugdige_id, Beperking.opgeheven_op.is_(None)).limit(1)
    )


def identiteit(omg: Omgeving, jeugdige: Jeugdige) -> JeugdigeIn:
    """Decrypt the youth's identity (only inside a use case that logs why)."""
    data = json.loads(omg.sleutels.ontsleutel(jeugdige.identiteit_versleuteld, "jeugdige.identiteit"))
    return JeugdigeIn.model_validate(data)


# -- use cases --------------------------------------------------------------------------------------------------


def _loket(wp: Werkproces, actor: Actor) -> bool:
    return actor.rol in wp.privacy.loket


def leg_vast(omg: Omgeving, invoer: GrondslagIn, actor: Actor) -> GrondslagVastgelegd:
    """Record a ground for a case; consent must come from whoever may give it at the youth's age."""
    nu = omg.nu()
    with omg.uow() as sessie:
        verzoek = f"{invoer.model_dump_json(exclude={'idempotentie_sleutel'})}|{actor}"
        vingerafdruk = omg.sleutels.vingerafdruk(verzoek, "verzoek")
        eerder = eerder_antwoord(sessie, invoer.idempotentie_sleutel, "grondslag", vingerafdruk)
        if eerder is not None:
            return GrondslagVastgelegd(**eerder, herhaald=True)
        casus = casus_op_ref(sessie, invoer.casus_ref, vergrendel=True)
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        register = omg.werkprocessen.register()
        controleer_actor(wp, register, actor)
        organisatie = actor.organisatie
        fouten: list[tuple[str, str]] = []
        for i, ontvanger in enumerate(invoer.ontvangers):
            bekend = wp.heeft_rol(ontvanger) or register.heeft(ontvanger)
            if not bekend and ontvanger not in {o.key for o in wp.organisaties}:
                fouten.append((f"ontvangers[{i}]", "onbekende rol of organisatie"))  # the field names it
        if invoer.soort == Grondslagsoort.TOESTEMMING:
            jeugdige = sessie.get(Jeugdige, casus.jeugdige_id)
            assert jeugdige is not None
            leeftijd = identiteit(omg, jeugdige).leeftijd_op(lokale_datum(nu))
            reden = toestemming_fout(leeftijd, invoer.gegeven_door)
            if reden is not None:
                fouten.append(("gegeven_door", reden))
        elif invoer.gegeven_door:
            fouten.append(("gegeven_door", "alleen bij toestemming"))
        geldig_tot = None
        if invoer.geldig_tot is not None:
            geldig_tot = datetime.combine(invoer.geldig_tot, time(0), AMSTERDAM).astimezone(UTC)
            if geldig_tot <= nu:
                fouten.append(("geldig_tot", "ligt niet in de toekomst"))
        if fouten:
            raise InvoerFout(fouten)
        if casus.status != CasusStatus.OPEN:
            raise DomeinFout(f"casus {casus.ref} is gesloten", veld="casus")
        if partij(actor) not in verantwoordelijke_partijen(sessie, casus) and not _loket(wp, actor):
            raise DomeinFout(
                f"rol '{actor.rol}' van '{actor.organisatie}' draagt geen verantwoordelijkheid in casus {casus.ref} "
                "(melder, eigenaar van een stap of regiehouder legt een grondslag vast)",
                veld="actor_rol",
            )
        grondslag = Grondslag(
            ref=nieuwe_ref("G"),
            casus_id=casus.id,
            soort=invoer.soort.value,
            gegeven_door=sorted(g.value for g in invoer.gegeven_door),
            ontvangers=sorted(set(invoer.ontvangers)),
            categorieen=sorted({c.value for c in invoer.categorieen}),
            doel=invoer.doel,
            toelichting_versleuteld=(
                omg.sleutels.versleutel(invoer.toelichting.encode(), "grondslag.toelichting")
                if invoer.toelichting
                else None
            ),
            vastgelegd_door=actor.persoon,
            vastgelegd_rol=actor.rol,
            vastgelegd_organisatie=actor.organisatie,
            vastgelegd_op=nu,
            geldig_tot=geldig_tot,
        )
        sessie.add(grondslag)
        historie(
            sessie,
            casus,
            f"grondslag:{grondslag.ref}",
            "grondslag_vastgelegd",
            nu,
            rol=actor.rol,
            organisatie=actor.organisatie,
            actor=actor.persoon,
            grondslag=grondslag.ref,
            soort=grondslag.soort,
            doel=grondslag.doel,
        )
        logboek.schrijf(
            sessie,
            moment=nu,
            casus_ref=casus.ref,
            handeling="grondslag",
            actor=actor.persoon,
            rol=actor.rol,
            organisatie=organisatie,
            doel=invoer.doel,
            uitkomst="vastgelegd",
            categorieen=grondslag.categorieen,
            grondslagen=[grondslag.ref],
            reden=grondslag.soort,
        )
        antwoord = {"grondslag_ref": grondslag.ref, "casus_ref": casus.ref, "soort": grondslag.soort}
        onthoud_antwoord(sessie, invoer.idempotentie_sleutel, "grondslag", antwoord, nu, vingerafdruk)
        return GrondslagVastgelegd(**antwoord)


def trek_in(omg: Omgeving, grondslag_ref: str, actor: Actor) -> GrondslagVastgelegd:
    """Withdraw consent or end a legal basis from now on; the record stays. Withdrawing twice changes nothing."""
    nu = omg.nu()
    with omg.uow() as sessie:
        grondslag = sessie.scalar(select(Grondslag).where(Grondslag.ref == grondslag_ref).with_for_update())
        if grondslag is None:
            raise NietGevonden(f"grondslag '{grondslag_ref}' bestaat niet", veld="grondslag")
        casus = sessie.get(Casus, grondslag.casus_id)
        assert casus is not None
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        controleer_actor(wp, omg.werkprocessen.register(), actor)
        organisatie = actor.organisatie
        antwoord = GrondslagVastgelegd(grondslag_ref=grondslag.ref, casus_ref=casus.ref, soort=grondslag.soort)
        if grondslag.ingetrokken_op is not None:
            return antwoord.model_copy(update={"herhaald": True})
        if partij(actor) not in verantwoordelijke_partijen(sessie, casus) and not _loket(wp, actor):
            raise DomeinFout(
                f"rol '{actor.rol}' van '{actor.organisatie}' draagt geen verantwoordelijkheid in casus {casus.ref}",
                veld="actor_rol",
            )
        grondslag.ingetrokken_op = nu
        grondslag.ingetrokken_door = actor.persoon
        historie(
            sessie,
            casus,
            f"grondslag:{grondslag.ref}:ingetrokken",
            "grondslag_ingetrokken",
            nu,
            rol=actor.rol,
            organisatie=actor.organisatie,
            actor=actor.persoon,
            grondslag=grondslag.ref,
        )
        logboek.schrijf(
            sessie,
            moment=nu,
            casus_ref=casus.ref,
            handeling="grondslag_ingetrokken",
            actor=actor.persoon,
            rol=actor.rol,
            organisatie=organisatie,
            doel=grondslag.doel,
            uitkomst="vastgelegd",
            grondslagen=[grondslag.ref],
        )
        return antwoord


def overzicht(omg: Omgeving, casus_ref: str) -> list[GrondslagOverzicht]:
    """The grounds of a case, oldest first, without their explanations."""
    nu = omg.nu()
    with omg.uow() as sessie:
        casus = casus_op_ref(sessie, casus_ref)
        jeugdige = sessie.get(Jeugdige, casus.jeugdige_id)
        assert jeugdige is not None
        leeftijd = identiteit(omg, jeugdige).leeftijd_op(lokale_datum(nu))  # for "in force": never shown
        return [
            GrondslagOverzicht(
                ref=g.ref,
                soort=g.soort,
                gegeven_door=list(g.gegeven_door),
                ontvangers=list(g.ontvangers),
                categorieen=list(g.categorieen),
                doel=g.doel,
                vastgelegd_door=g.vastgelegd_door,
                vastgelegd_rol=g.vastgelegd_rol,
                vastgelegd_op=g.vastgelegd_op,
                geldig_tot=g.geldig_tot,
                ingetrokken_op=g.ingetrokken_op,
                van_kracht=_regel(g).van_kracht(nu, leeftijd),
            )
            for g in _grondslagen(sessie, casus)
        ]

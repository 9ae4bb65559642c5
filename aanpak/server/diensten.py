"""The one adapter between the API and the use cases: it maps the caller's ``Actor`` onto what they take today.

Every use case takes the caller's ``Actor`` as the token gave it (rechten and bewaring too). The involvement
check is one use case (``aanpak/usecases/betrokkenheid.py``): a case the caller is not involved in answers
exactly like an unknown one, and the attempt is written to the disclosure log. Transitions after a stored
request go through ``aanpak.uitvoering`` exactly as the CLI runs them; when one is pending or fails, the caller
hears the request is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar

from aanpak import uitvoering
from aanpak.omgeving import Omgeving
from aanpak.server.toegang import RolNietToegestaan
from aanpak.usecases import besluit as besluit_uc
from aanpak.usecases import bewaring, inzage, inzicht, logboek, overdracht, rechten, signaal, termijnen
from aanpak.usecases import grondslag as grondslag_uc
from aanpak.usecases.betrokkenheid import casus_bestaat, controleer_betrokken, controleer_via
from aanpak.usecases.rapport import Filters, Rapport, maak_rapport
from models.actor import Actor
from models.casus import Opschortreden, Verlengreden
from models.fouten import InvoerFout
from models.privacy import Beperkingsreden
from models.regievoorstel import Regieafwijkreden, Regiekeuze
from models.signaal import SignaalIn

log = logging.getLogger("aanpak.server")

T = TypeVar("T")
Overgang = Literal["klaar", "bezig", "mislukt"]

# -- transitions ----------------------------------------------------------------------------------------------


def _overgang(ref: str, doe: Callable[[], T]) -> tuple[T | None, Overgang]:
    """Run the transition after a stored request; pending or failed is an answer, not an error."""
    try:
        return doe(), "klaar"
    except uitvoering.NogBezig:
        return None, "bezig"
    except Exception as exc:  # the request is stored; `aanpak herstel` or a retry completes it
        log.warning("overgang na %s niet afgerond: %s", ref, type(exc).__name__)
        return None, "mislukt"


# -- signaal --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registratie:
    signaal_ref: str
    herhaald: bool
    overgang: Overgang
    verwerkt: signaal.SignaalVerwerkt | None


def registreer_signaal(omg: Omgeving, actor: Actor, document: dict[str, Any]) -> Registratie:
    """The melder's role is the token's role: a body naming another role is refused."""
    melder = document.get("melder")
    if isinstance(melder, dict):
        if melder.get("rol") not in (None, actor.rol):
            raise InvoerFout([("melder.rol", "moet de rol zijn waarin u dit verzoek doet (uit uw token)")])
        document = {**document, "melder": {**melder, "rol": actor.rol}}
    invoer = SignaalIn.model_validate(document)
    geregistreerd = signaal.registreer_signaal(omg, invoer, actor)
    ref = geregistreerd.signaal_ref
    verwerkt, overgang = _overgang(ref, lambda: uitvoering.na_signaal(omg, ref))
    return Registratie(ref, geregistreerd.herhaald, overgang, verwerkt)


# -- postvak, tijdlijn ----------------------------------------------------------------------------------------


def postvak(omg: Omgeving, actor: Actor, *, hele_organisatie: bool = False) -> list[inzicht.Taak]:
    """The caller's own organisation's work: their role's, or (``hele_organisatie``) every role's there."""
    return inzicht.postvak(omg, organisatie=actor.organisatie, rol=None if hele_organisatie else actor.rol)


def tijdlijn(omg: Omgeving, actor: Actor, casus_ref: str) -> inzicht.Tijdlijn:
    controleer_betrokken(omg, actor, casus_ref, "tijdlijn")
    return inzicht.tijdlijn(omg, casus_ref)


# -- stappen --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Besluituitkomst:
    genomen: besluit_uc.BesluitGenomen
    toegepast: besluit_uc.BesluitToegepast | None
    overgang: Overgang


def neem_besluit(
    omg: Omgeving,
    actor: Actor,
    casus_ref: str,
    stap: str,
    *,
    uitkomst: str,
    ave_fase: int | None,
    casusregie: str | None,
    procesregie: str | None,
    casusregie_organisatie: str | None = None,
    procesregie_organisatie: str | None = None,
    eigenaar_organisatie: str | None = None,
    regie_voorstel: Regiekeuze | None = None,
    regie_reden: Regieafwijkreden | None = None,
    toelichting: str | None,
    verwachte_versie: int | None,
    idempotentie_sleutel: str | None,
) -> Besluituitkomst:
    controleer_betrokken(omg, actor, casus_ref, "besluit")
    invoer = besluit_uc.BesluitIn(
        casus_ref=casus_ref,
        stap=stap,
        uitkomst=uitkomst,
        ave_fase=ave_fase,
        casusregie=casusregie,
        procesregie=procesregie,
        casusregie_organisatie=casusregie_organisatie,
        procesregie_organisatie=procesregie_organisatie,
        eigenaar_organisatie=eigenaar_organisatie,
        regie_voorstel=regie_voorstel,
        regie_reden=regie_reden,
        toelichting=toelichting,
        verwachte_versie=verwachte_versie,
        idempotentie_sleutel=idempotentie_sleutel,
    )
    genomen = besluit_uc.neem_besluit(omg, invoer, actor)
    toegepast, overgang = _overgang(
        genomen.besluit_ref, lambda: uitvoering.na_besluit(omg, genomen.besluit_ref, genomen.casus_ref, genomen.stap)
    )
    return Besluituitkomst(genomen, toegepast, overgang)


def opschorten(
    omg: Omgeving, actor: Actor, casus_ref: str, stap: str, reden: Opschortreden
) -> termijnen.TermijnGewijzigd:
    controleer_betrokken(omg, actor, casus_ref, "opschorten")
    return termijnen.opschorten(omg, casus_ref, stap, reden, actor)


def hervatten(omg: Omgeving, actor: Actor, casus_ref: str, stap: str) -> termijnen.TermijnGewijzigd:
    controleer_betrokken(omg, actor, casus_ref, "hervatten")
    return termijnen.hervatten(omg, casus_ref, stap, actor)


def verlengen(
    omg: Omgeving, actor: Actor, casus_ref: str, stap: str, aantal: int, reden: Verlengreden
) -> termijnen.TermijnGewijzigd:
    controleer_betrokken(omg, actor, casus_ref, "verlengen")
    return termijnen.verlengen(omg, casus_ref, stap, aantal, reden, actor)


def review(omg: Omgeving, actor: Actor, casus_ref: str, stap: str) -> termijnen.ReviewVastgelegd:
    controleer_betrokken(omg, actor, casus_ref, "review")
    return termijnen.review(omg, casus_ref, stap, actor)


# -- overdracht -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acceptatie:
    geaccepteerd: overdracht.OverdrachtGeaccepteerd
    overgang: Overgang


def accepteer_overdracht(omg: Omgeving, actor: Actor, overdracht_ref: str) -> Acceptatie:
    controleer_via(omg, actor, "overdracht", overdracht_ref, "overdracht_accepteren")
    r = overdracht.accepteer_overdracht(omg, overdracht_ref, actor)
    _, overgang = _overgang(r.overdracht_ref, lambda: uitvoering.na_overdracht(omg, r.overdracht_ref, r.casus_ref))
    return Acceptatie(r, overgang)


# -- privacy: inzage, grondslagen, rechten --------------------------------------------------------------------


def inzien(omg: Omgeving, actor: Actor, casus_ref: str, doel: str) -> inzage.Inzage:
    controleer_betrokken(omg, actor, casus_ref, "inzien")
    return inzage.casus_inzien(omg, casus_ref, actor, doel)


def grondslagen(omg: Omgeving, actor: Actor, casus_ref: str) -> list[grondslag_uc.GrondslagOverzicht]:
    controleer_betrokken(omg, actor, casus_ref, "grondslagen", loket=True)
    return grondslag_uc.overzicht(omg, casus_ref)


def leg_grondslag_vast(
    omg: Omgeving, actor: Actor, casus_ref: str, gegevens: dict[str, Any]
) -> grondslag_uc.GrondslagVastgelegd:
    controleer_betrokken(omg, actor, casus_ref, "grondslag_vastleggen", loket=True)
    invoer = grondslag_uc.GrondslagIn(casus_ref=casus_ref, **gegevens)
    return grondslag_uc.leg_vast(omg, invoer, actor)


def trek_grondslag_in(omg: Omgeving, actor: Actor, grondslag_ref: str) -> grondslag_uc.GrondslagVastgelegd:
    controleer_via(omg, actor, "grondslag", grondslag_ref, "grondslag_intrekken")
    return grondslag_uc.trek_in(omg, grondslag_ref, actor)


def rechten_inzage(omg: Omgeving, actor: Actor, casus_ref: str) -> rechten.Dossier:
    controleer_betrokken(omg, actor, casus_ref, "rechten_inzage", loket=True)
    return rechten.exporteer(omg, casus_ref, actor)


def zoek_op_bsn(omg: Omgeving, actor: Actor, bsn: str, doel: rechten.Zoekdoel) -> rechten.Zoekresultaat:
    """No case to be involved in yet: the use case's privacyloket check (and its log entry) decides."""
    return rechten.zoek_op_bsn(omg, bsn, doel, actor)


def corrigeer(omg: Omgeving, actor: Actor, casus_ref: str, wijzigingen: dict[str, str]) -> rechten.Verzoekafhandeling:
    controleer_betrokken(omg, actor, casus_ref, "rechten_correctie", loket=True)
    return rechten.corrigeer(omg, casus_ref, wijzigingen, actor)


def beperk(omg: Omgeving, actor: Actor, casus_ref: str, reden: Beperkingsreden) -> rechten.Verzoekafhandeling:
    controleer_betrokken(omg, actor, casus_ref, "rechten_beperking", loket=True)
    return rechten.beperk(omg, casus_ref, reden, actor)


def hef_beperking_op(omg: Omgeving, actor: Actor, casus_ref: str) -> rechten.Verzoekafhandeling:
    controleer_betrokken(omg, actor, casus_ref, "rechten_beperking", loket=True)
    return rechten.hef_beperking_op(omg, casus_ref, actor)


# -- bewaring -------------------------------------------------------------------------------------------------


def _loketrol(omg: Omgeving, actor: Actor) -> bool:
    return actor.rol in omg.werkprocessen.bestand()[0].privacy.loket


def alleen_loket(omg: Omgeving, actor: Actor) -> None:
    """Retention lists name cases of every organisation: only the privacyloket may read them."""
    if not _loketrol(omg, actor):
        raise RolNietToegestaan("alleen het privacyloket ziet het bewaaroverzicht en het verwijderlog")


def bewaring_overzicht(omg: Omgeving, actor: Actor) -> bewaring.Overzicht:
    alleen_loket(omg, actor)
    return bewaring.te_verwijderen(omg)


def wis(omg: Omgeving, actor: Actor, casus_ref: str) -> tuple[bewaring.Verwijderd, dict[str, int] | None]:
    """Erasure on request; a retried request for a case already erased answers as the first one did."""
    if casus_bestaat(omg, casus_ref) or not _loketrol(omg, actor):
        controleer_betrokken(omg, actor, casus_ref, "wissen", loket=True)
    weg = bewaring.wis_op_verzoek(omg, casus_ref, actor)
    return weg, _schoon_prefect_op(omg, weg)


def _schoon_prefect_op(omg: Omgeving, weg: bewaring.Verwijderd) -> dict[str, int] | None:
    from aanpak.config import instellingen

    if not instellingen().prefect:
        return None  # the next bewaring run cleans Prefect up
    try:
        from aanpak.prefect_opschoning import schoon_casus_op

        aantallen = schoon_casus_op(weg.ref).als_dict()
    except Exception as exc:  # the store is done; the next bewaring run retries Prefect
        log.warning("prefect-opschoning van %s uitgesteld: %s", weg.ref, type(exc).__name__)
        return None
    bewaring.noteer_prefect(omg, weg.verwijdering_ref, aantallen)
    return aantallen


def blokkeer(
    omg: Omgeving, actor: Actor, casus_ref: str, reden: bewaring.Bewaarplichtreden, tot: datetime | None
) -> bewaring.BewaarplichtUit:
    controleer_betrokken(omg, actor, casus_ref, "bewaarplicht", loket=True)
    return bewaring.zet_bewaarplicht(omg, casus_ref, reden, actor, tot=tot)


def deblokkeer(omg: Omgeving, actor: Actor, casus_ref: str) -> list[bewaring.BewaarplichtUit]:
    controleer_betrokken(omg, actor, casus_ref, "bewaarplicht", loket=True)
    return bewaring.hef_bewaarplicht_op(omg, casus_ref, actor)


def verwijderlog(omg: Omgeving, actor: Actor, casus_ref: str | None) -> list[dict[str, object]]:
    alleen_loket(omg, actor)
    return bewaring.verwijderlog(omg, casus_ref)


# -- audit, rapport -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Auditverificatie:
    verificatie: logboek.Verificatie
    afwijkende_ankers: list[tuple[int, str]]


def verifieer_audit(omg: Omgeving, ankers: list[tuple[int, str]]) -> Auditverificatie:
    with omg.uow() as sessie:
        v = logboek.verifieer(sessie)
        afwijkend = [(n, r) for n, h in ankers if (r := logboek.controleer_anker(sessie, n, h)) is not None]
    return Auditverificatie(v, afwijkend)


def rapport(omg: Omgeving, filters: Filters) -> Rapport:
    return maak_rapport(omg, filters)

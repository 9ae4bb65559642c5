"""A signal arrives: register it (personal data, encrypted), then match it and open or join a case.

Registration and processing are two transactions on purpose. Registration is the coordinator's request and the
only place personal data comes in; processing takes just the signal reference, so it can run as a Prefect flow
run (and be re-run after a crash) without any personal data entering Prefect.
"""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Casus, Correctie, Jeugdige, Match, Signaal, StapInstantie
from aanpak.usecases.casusopslag import nieuwe_ref, regie_van
from aanpak.usecases.idempotentie import eerder_antwoord, onthoud_antwoord
from aanpak.usecases.stappen import open_stap
from aanpak.usecases.vastlegging import Feit, historie, leg_vast_en_meld
from models.actor import Actor
from models.binding import Partij, controleer_actor, partijen_voor
from models.casus import CasusStatus, Regie, StapStatus, kalender_voor, ontvangers, start_stap
from models.fouten import InvoerFout, NietGevonden
from models.kalender import lokale_datum
from models.meldingen import Meldingsoort
from models.organisaties import Organisatieregister
from models.signaal import Jeugdige as JeugdigeIn
from models.signaal import SignaalIn, controleer_leeftijd, leeftijdsgroep
from models.werkproces import MELDERS, Werkproces


class SignaalGeregistreerd(BaseModel):
    signaal_ref: str
    #: True when the same idempotency key was seen before and nothing new was written.
    herhaald: bool = False


class SignaalVerwerkt(BaseModel):
    """Only references and non-personal facts: safe as a Prefect task result."""

    signaal_ref: str
    casus_ref: str
    nieuwe_casus: bool
    gematcht_op: str | None
    gestarte_stappen: list[str]


def registreer_signaal(omg: Omgeving, invoer: SignaalIn, actor: Actor) -> SignaalGeregistreerd:
    """Validate against the definition in force and store the signal; personal data only encrypted.

    The melder is the actor: its role (which the document's ``melder.rol`` must match) at its organisation."""
    nu = omg.nu()
    with omg.uow() as sessie:
        vingerafdruk = omg.sleutels.vingerafdruk(invoer.model_dump_json(exclude={"idempotentie_sleutel"}), "verzoek")
        eerder = eerder_antwoord(sessie, invoer.idempotentie_sleutel, "signaal", vingerafdruk)
        if eerder is not None:
            return SignaalGeregistreerd(signaal_ref=eerder["signaal_ref"], herhaald=True)
        _, wp = omg.werkprocessen.actueel(sessie, nu)
        _controleer(wp, invoer, lokale_datum(nu))
        controleer_actor(wp, omg.werkprocessen.register(), actor)
        if actor.rol != invoer.melder.rol:
            raise InvoerFout([("melder.rol", "komt niet overeen met de rol waarin u handelt")])
        jeugdige, gematcht_op = _zoek_of_maak_jeugdige(omg, sessie, invoer, nu)
        melder = invoer.melder
        signaal = Signaal(
            ref=nieuwe_ref("S"),
            jeugdige_id=jeugdige.id,
            casus_id=None,
            bron_rol=melder.rol,
            bron_organisatie=wp.rol(melder.rol).organisatie,
            melder_organisatie=actor.organisatie,
            categorieen=[c.value for c in invoer.categorieen],
            acuut=invoer.acuut,
            leeftijdsgroep=leeftijdsgroep(invoer.jeugdige.leeftijd_op(lokale_datum(nu))),
            wijk=invoer.jeugdige.wijk,
            zorg_versleuteld=omg.sleutels.versleutel(invoer.zorg.encode(), "signaal.zorg"),
            melder_versleuteld=omg.sleutels.versleutel(melder.model_dump_json().encode(), "signaal.melder"),
            ontvangen_op=nu,
            verwerkt_op=None,
            gematcht_op=gematcht_op,
        )
        sessie.add(signaal)
        onthoud_antwoord(sessie, invoer.idempotentie_sleutel, "signaal", {"signaal_ref": signaal.ref}, nu, vingerafdruk)
        return SignaalGeregistreerd(signaal_ref=signaal.ref)


def _controleer(wp: Werkproces, invoer: SignaalIn, dag: object) -> None:
    assert hasattr(dag, "year")
    fouten: list[tuple[str, str]] = []
    if not wp.heeft_rol(invoer.melder.rol):
        # The text is not repeated: a document may carry anything there (a name, a terminal escape).
        fouten.append(("melder.rol", f"onbekende rol in werkproces {wp.versie} (zie: aanpak werkproces toon)"))
    fouten.extend(controleer_leeftijd(invoer.jeugdige, dag, wp.leeftijd.minimum, wp.leeftijd.maximum))  # type: ignore[arg-type]
    if fouten:
        raise InvoerFout(fouten)


def _zoek_of_maak_jeugdige(
    omg: Omgeving, sessie: Session, invoer: SignaalIn, nu: datetime
) -> tuple[Jeugdige, str | None]:
    """Recognise a known youth as the Verwijsindex does: keyed hash of the BSN, else name and birth date."""
    bsn_hash, naam_hash = vingerafdrukken(omg, invoer.jeugdige)
    if bsn_hash is not None:
        bekend = sessie.scalar(select(Jeugdige).where(Jeugdige.bsn_hash == bsn_hash))
        if bekend is not None:
            return bekend, "bsn"
    stmt = select(Jeugdige).where(Jeugdige.naam_hash == naam_hash).order_by(Jeugdige.id)
    if bsn_hash is not None:
        stmt = stmt.where(Jeugdige.bsn_hash.is_(None))  # a different BSN is a different child
    bekend = sessie.scalars(stmt).first()
    if bekend is not None:
        if bsn_hash is not None:  # the BSN is now known: keep it, encrypted, for future matches
            _corrigeer_bij_match(omg, sessie, bekend, invoer, nu)
            bekend.bsn_hash = bsn_hash
            bekend.identiteit_versleuteld = _versleutel_identiteit(omg, invoer)
        return bekend, "naam_geboortedatum"
    nieuw = Jeugdige(
        identiteit_versleuteld=_versleutel_identiteit(omg, invoer),
        bsn_hash=bsn_hash,
        naam_hash=naam_hash,
        aangemaakt_op=nu,
    )
    sessie.add(nieuw)
    sessie.flush()
    return nieuw, None


def _corrigeer_bij_match(omg: Omgeving, sessie: Session, bekend: Jeugdige, invoer: SignaalIn, nu: datetime) -> None:
    """A matched signal that brings a BSN changes the stored identity: keep the previous version, as a correction
    (art. 16 AVG; the same record ``rechten corrigeer`` writes), so the change is never silent."""
    vorige = omg.sleutels.ontsleutel(bekend.identiteit_versleuteld, "jeugdige.identiteit")
    oud, nieuw = _velden(json.loads(vorige)), _velden(invoer.jeugdige.model_dump(mode="json", exclude={"wijk"}))
    sessie.add(
        Correctie(
            jeugdige_id=bekend.id,
            velden=sorted(k for k in oud.keys() | nieuw.keys() if oud.get(k) != nieuw.get(k)),
            vorige_versleuteld=omg.sleutels.versleutel(vorige, "correctie.vorige"),
            door="signaal",  # no person acts here: the signal's melder (encrypted with the signal) brought it
            rol=invoer.melder.rol,
            moment=nu,
        )
    )


def _velden(identiteit: dict[str, object]) -> dict[str, object]:
    """Identity fields flattened to the names ``rechten corrigeer`` uses (``adres.straat`` …), empty as None."""
    plat: dict[str, object] = {}
    for k, v in identiteit.items():
        if isinstance(v, dict):
            plat.update({f"{k}.{sub}": w or None for sub, w in v.items()})
        else:
            plat[k] = v or None
    return plat


def vingerafdrukken(omg: Omgeving, j: JeugdigeIn) -> tuple[str | None, str]:
    """The keyed hashes a youth is recognised by: of the BSN, and of the normalised name with birth date."""
    bsn_hash = omg.sleutels.vingerafdruk(j.bsn, "bsn") if j.bsn else None
    return bsn_hash, omg.sleutels.vingerafdruk(f"{j.naam_sleutel()}|{j.geboortedatum.isoformat()}", "naam")


def _versleutel_identiteit(omg: Omgeving, invoer: SignaalIn) -> bytes:
    data = invoer.jeugdige.model_dump(mode="json", exclude={"wijk"})
    return omg.sleutels.versleutel(json.dumps(data).encode(), "jeugdige.identiteit")


def verwerk_signaal(omg: Omgeving, signaal_ref: str) -> SignaalVerwerkt:
    """Open a case or join the youth's open case; idempotent (a processed signal returns its result)."""
    nu = omg.nu()
    with omg.uow() as sessie:
        signaal = sessie.scalar(select(Signaal).where(Signaal.ref == signaal_ref).with_for_update())
        if signaal is None:
            raise NietGevonden(f"signaal '{signaal_ref}' bestaat niet", veld="signaal")
        if signaal.verwerkt_op is not None and signaal.casus_id is not None:
            return _al_verwerkt(sessie, signaal)
        casus = sessie.scalar(
            select(Casus)
            .where(Casus.jeugdige_id == signaal.jeugdige_id, Casus.status == CasusStatus.OPEN)
            .with_for_update()
        )
        if casus is None:
            casus, gestart = _open_casus(omg, sessie, signaal, nu)
            nieuw = True
        else:
            gestart = _voeg_toe(omg, sessie, casus, signaal, nu)
            nieuw = False
        signaal.verwerkt_op = nu
        return SignaalVerwerkt(
            signaal_ref=signaal.ref,
            casus_ref=casus.ref,
            nieuwe_casus=nieuw,
            gematcht_op=None if nieuw else (signaal.gematcht_op or "jeugdige"),
            gestarte_stappen=gestart,
        )


def _al_verwerkt(sessie: Session, signaal: Signaal) -> SignaalVerwerkt:
    casus = sessie.get_one(Casus, signaal.casus_id)
    match = sessie.scalar(select(Match).where(Match.signaal_id == signaal.id))
    return SignaalVerwerkt(
        signaal_ref=signaal.ref,
        casus_ref=casus.ref,
        nieuwe_casus=match is None,
        gematcht_op=match.op if match else None,
        gestarte_stappen=[],
    )


def _open_casus(omg: Omgeving, sessie: Session, signaal: Signaal, nu: datetime) -> tuple[Casus, list[str]]:
    """A new case: casusregie starts with the signalling role; the intake step is completed at once."""
    wp_id, wp = omg.werkprocessen.actueel(sessie, nu)
    register = omg.werkprocessen.register()
    fase = wp.fase(1)
    melder = Partij(signaal.melder_organisatie or "", signaal.bron_rol)
    procesregie = _enige(wp, register, fase.procesregie, melder)
    bestuurlijk = _enige(wp, register, fase.bestuurlijk, melder)
    casus = Casus(
        ref=nieuwe_ref("C"),
        jeugdige_id=signaal.jeugdige_id,
        werkproces_id=wp_id,
        status=CasusStatus.OPEN,
        ave_niveau=1,
        casusregie=melder.rol,
        casusregie_organisatie=melder.organisatie,
        procesregie=procesregie.rol if procesregie else None,
        procesregie_organisatie=procesregie.organisatie if procesregie else None,
        bestuurlijk=bestuurlijk.rol if bestuurlijk else None,
        bestuurlijk_organisatie=bestuurlijk.organisatie if bestuurlijk else None,
        acuut=signaal.acuut,
        geopend_op=nu,
        gesloten_op=None,
    )
    sessie.add(casus)
    sessie.flush()
    signaal.casus_id = casus.id
    historie(
        sessie,
        casus,
        "geopend",
        "casus_geopend",
        nu,
        rol=signaal.bron_rol,
        organisatie=melder.organisatie,
        signaal=signaal.ref,
        werkproces=f"{wp.key} {wp.versie}",
        acuut=signaal.acuut,
    )
    regie = Regie(melder, procesregie, (melder,), (melder,))

    intake = wp.stap(wp.intake.stap)
    uitkomst_key = wp.intake.uitkomst_acuut if signaal.acuut and wp.intake.uitkomst_acuut else wp.intake.uitkomst
    start = start_stap(wp, register, kalender_voor(wp), intake.key, regie, nu, acuut=signaal.acuut)
    stap = StapInstantie(
        casus_id=casus.id,
        stap_key=intake.key,
        volgnummer=1,
        status=StapStatus.AFGEROND,
        eigenaar_rol=start.eigenaar_rol,
        eigenaar_organisatie=start.eigenaar.organisatie,
        acuut=signaal.acuut,
        gestart_op=nu,
        termijn_einde=start.termijn_einde,
        opgeschort_werkdagen=0,
        verlengd_met=0,
        afgerond_op=nu,
        uitkomst=uitkomst_key,
        actor=signaal.bron_rol,
    )
    sessie.add(stap)
    sessie.flush()
    leg_vast_en_meld(
        sessie,
        casus,
        f"stap:{stap.id}:afgerond",
        nu,
        Feit("stap_afgerond", stap_key=intake.key, rol=start.eigenaar_rol, gegevens={"uitkomst": uitkomst_key}),
        Meldingsoort.STAP_AFGEROND,
        ontvangers(wp, register, intake.melden.bij_afronding, regie, start.eigenaar),
        uitkomst=uitkomst_key,
    )
    uitkomst = intake.uitkomst(uitkomst_key)
    assert uitkomst is not None  # checked when the definition was loaded
    gestart = [
        s.stap_key
        for k in uitkomst.volgende
        if (s := open_stap(sessie, wp, casus, k, nu, besluit_id=None, register=register, regie=regie)) is not None
    ]
    return casus, gestart


def _enige(wp: Werkproces, register: Organisatieregister, rol: str | None, melder: Partij) -> Partij | None:
    """A phase's default regie holder at a new case: only when its organisation is unambiguous."""
    partijen = partijen_voor(wp, register, rol, [melder.organisatie]) if rol else []
    return partijen[0] if len(partijen) == 1 else None


def _voeg_toe(omg: Omgeving, sessie: Session, casus: Casus, signaal: Signaal, nu: datetime) -> list[str]:
    """A match: record it, tell the partners involved (contact details only), start the afstemming step."""
    wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
    signaal.casus_id = casus.id
    sessie.flush()
    register = omg.werkprocessen.register()
    regie = regie_van(sessie, casus)
    partijen = ontvangers(wp, register, ["casusregie", "procesregie", MELDERS], regie, None)
    betrokken = list(dict.fromkeys(p.rol for p in partijen))
    op = signaal.gematcht_op or "jeugdige"
    sessie.add(Match(casus_id=casus.id, signaal_id=signaal.id, op=op, betrokken_rollen=betrokken, moment=nu))
    if signaal.acuut and not casus.acuut:
        casus.acuut = True
    leg_vast_en_meld(
        sessie,
        casus,
        f"match:{signaal.ref}",
        nu,
        Feit(
            "signaal_gematcht",
            rol=signaal.bron_rol,
            organisatie=signaal.melder_organisatie,
            gegevens={"signaal": signaal.ref, "op": op, "betrokken": betrokken},
        ),
        Meldingsoort.MATCH,
        partijen,
        signaal=signaal.ref,
        melder_rol=signaal.bron_rol,
    )
    if wp.intake.bij_match is None:
        return []
    stap = open_stap(sessie, wp, casus, wp.intake.bij_match, nu, besluit_id=None, register=register, regie=regie)
    return [stap.stap_key] if stap else []

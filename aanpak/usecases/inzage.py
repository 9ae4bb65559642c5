"""`aanpak casus inzien`: show a partner exactly the personal data it may see, and log it — refusals too.

The answer holds personal data by design (it is what the partner asked to read) and therefore goes only to the
CLI's screen, never to Prefect. The disclosure-log entry holds the categories shown and withheld, never values;
it is committed also when everything is refused.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Besluit, Jeugdige, Signaal
from aanpak.usecases import logboek
from aanpak.usecases.casusopslag import casus_op_ref
from aanpak.usecases.grondslag import DOEL_PATROON, beperkt, betrokken_partijen, identiteit, regels
from models.actor import Actor
from models.binding import controleer_actor, partij
from models.fouten import InvoerFout, NietGevonden
from models.kalender import lokale_datum
from models.privacy import EIGEN_INBRENG, Weigerreden, categorieen_van_zorg, toegestane_doelen, weeg_af
from models.werkproces import Gegevenscategorie

_VOLGORDE = list(Gegevenscategorie)
_VOORRANG = (Weigerreden.NIET_NODIG, Weigerreden.AVE_FASE, Weigerreden.GEEN_GRONDSLAG)


class Onderdeel(BaseModel):
    """One piece of personal data shown: its categories, where it comes from and on which grounds."""

    titel: str
    categorieen: list[str]
    bron: str
    grondslagen: list[str]
    velden: dict[str, str]


class Achtergehouden(BaseModel):
    titel: str
    categorieen: list[str]
    reden: str


class Inzage(BaseModel):
    casus_ref: str
    rol: str
    organisatie: str
    ave: int
    doel: str
    #: Set when nothing at all is shown (not involved, processing restricted).
    geweigerd: str | None = None
    getoond: list[Onderdeel] = Field(default_factory=list)
    achtergehouden: list[Achtergehouden] = Field(default_factory=list)
    logregel: int


def _log(
    sessie: Session,
    casus_ref: str,
    actor: Actor,
    doel: str,
    nu: datetime,
    uitkomst: str,
    getoond: set[str],
    geweigerd: set[str],
    gronden: set[str],
    reden: str | None,
) -> int:
    regel = logboek.schrijf(
        sessie,
        moment=nu,
        casus_ref=casus_ref,
        handeling="inzien",
        actor=actor.persoon,
        rol=actor.rol,
        organisatie=actor.organisatie,
        doel=doel,
        uitkomst=uitkomst,
        categorieen=getoond,
        geweigerd=geweigerd,
        grondslagen=gronden,
        reden=reden,
    )
    return regel.volgnummer


def _sorteer(categorieen: set[Gegevenscategorie]) -> list[str]:
    return [c.value for c in _VOLGORDE if c in categorieen]


def casus_inzien(omg: Omgeving, casus_ref: str, actor: Actor, doel: str) -> Inzage:
    """What ``actor`` (a role at an organisation) may see of a case now; every answer — also a refusal — is
    written to the disclosure log. A party not involved is refused as if the case did not exist: the refusal is
    logged and committed first, then the caller gets the answer for an unknown case."""
    if not re.fullmatch(DOEL_PATROON, doel):
        raise InvoerFout([("doel", "een sleutel van kleine letters, cijfers en _ (bv. casusoverleg)")])
    nu = omg.nu()
    with omg.uow() as sessie:
        casus = casus_op_ref(sessie, casus_ref)
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        controleer_actor(wp, omg.werkprocessen.register(), actor)
        betrokken = partij(actor) in betrokken_partijen(sessie, casus)
        if not betrokken:
            _log(
                sessie,
                casus.ref,
                actor,
                doel,
                nu,
                "geweigerd",
                set(),
                {c.value for c in Gegevenscategorie},
                set(),
                Weigerreden.NIET_BETROKKEN.value,
            )
    if not betrokken:
        raise NietGevonden(f"casus '{casus_ref}' bestaat niet", veld="casus")
    doelen = toegestane_doelen(wp, actor.rol)
    if doelen is not None and doel not in doelen:
        raise InvoerFout([("doel", f"geen doel van rol '{actor.rol}' (wel: {', '.join(sorted(doelen)) or 'geen'})")])
    with omg.uow() as sessie:
        casus = casus_op_ref(sessie, casus_ref)
        rol = actor.rol

        def log(uitkomst: str, getoond: set[str], geweigerd: set[str], gronden: set[str], reden: str | None) -> int:
            return _log(sessie, casus.ref, actor, doel, nu, uitkomst, getoond, geweigerd, gronden, reden)

        basis = {
            "casus_ref": casus.ref,
            "rol": rol,
            "organisatie": actor.organisatie,
            "ave": casus.ave_niveau,
            "doel": doel,
        }
        if beperkt(sessie, casus.jeugdige_id) is not None:
            nummer = log("geweigerd", set(), {c.value for c in Gegevenscategorie}, set(), Weigerreden.BEPERKT.value)
            return Inzage(**basis, geweigerd=Weigerreden.BEPERKT.value, logregel=nummer)

        jeugdige = sessie.get(Jeugdige, casus.jeugdige_id)
        assert jeugdige is not None
        ident = identiteit(omg, jeugdige)
        leeftijd = ident.leeftijd_op(lokale_datum(nu))  # a consent must still fit the youth's age
        afweging = weeg_af(wp, rol, casus.ave_niveau, regels(sessie, casus), nu, doel, leeftijd, actor.organisatie)
        getoond: list[Onderdeel] = []
        achter: list[Achtergehouden] = []
        gelogd_achter: set[str] = set()

        def beoordeel(
            titel: str,
            nodig: set[Gegevenscategorie],
            bron: str,
            eigen: bool,
            velden: dict[str, str],
            neutrale_titel: str | None = None,
        ) -> None:
            if not any(velden.values()):
                return
            if eigen:
                getoond.append(
                    Onderdeel(
                        titel=titel, categorieen=_sorteer(nodig), bron=bron, grondslagen=[EIGEN_INBRENG], velden=velden
                    )
                )
                return
            ontbreekt = [c for c in _VOLGORDE if c in nodig and c not in afweging.toegestaan]
            if ontbreekt:
                # Name the reason a ground would not cure first: need-to-know, then the AVE phase.
                redenen = {afweging.geweigerd[c] for c in ontbreekt}
                reden = next(r for r in _VOORRANG if r in redenen)
                # Outside need-to-know even the kind of data is not the role's business: no categories named.
                buiten = reden in (Weigerreden.NIET_NODIG, Weigerreden.AVE_FASE)
                achter.append(
                    Achtergehouden(
                        titel=(neutrale_titel or titel) if buiten else titel,
                        categorieen=[] if buiten else _sorteer(nodig),
                        reden=reden.value,
                    )
                )
                gelogd_achter.update(c.value for c in nodig)
                return
            gronden = sorted({g for c in nodig for g in afweging.toegestaan[c]})
            getoond.append(
                Onderdeel(titel=titel, categorieen=_sorteer(nodig), bron=bron, grondslagen=gronden, velden=velden)
            )

        naam = " ".join(d for d in (ident.voornamen, ident.tussenvoegsel, ident.achternaam) if d)
        beoordeel(
            "Identiteit jeugdige",
            {Gegevenscategorie.IDENTITEIT},
            "jeugdige",
            False,
            {"naam": naam, "geboortedatum": ident.geboortedatum.strftime("%d-%m-%Y"), "bsn": ident.bsn or ""},
        )
        if ident.adres is not None:
            a = ident.adres
            beoordeel(
                "Adres jeugdige",
                {Gegevenscategorie.CONTACT},
                "jeugdige",
                False,
                {"adres": f"{a.straat} {a.huisnummer}".strip(), "postcode": a.postcode, "plaats": a.plaats},
            )
        signalen = sessie.scalars(select(Signaal).where(Signaal.casus_id == casus.id).order_by(Signaal.id)).all()
        for s in signalen:
            # What this role at this organisation itself reported, not its whole organisation nor another school.
            eigen = s.bron_rol == rol and s.melder_organisatie == actor.organisatie
            melder = json.loads(omg.sleutels.ontsleutel(s.melder_versleuteld, "signaal.melder"))
            beoordeel(
                f"Melder van signaal {s.ref} ({s.bron_rol})",
                {Gegevenscategorie.CONTACT},
                s.ref,
                eigen,
                {k: str(melder.get(k) or "") for k in ("naam", "telefoon", "email")},
            )
            beoordeel(
                f"Zorg uit signaal {s.ref} ({', '.join(s.categorieen)})",
                set(categorieen_van_zorg(s.categorieen)),
                s.ref,
                eigen,
                {"zorg": omg.sleutels.ontsleutel(s.zorg_versleuteld, "signaal.zorg").decode()},
                neutrale_titel=f"Zorg uit signaal {s.ref}",
            )
        besluiten = sessie.scalars(
            select(Besluit)
            .where(Besluit.casus_id == casus.id, Besluit.toelichting_versleuteld.is_not(None))
            .order_by(Besluit.id)
        ).all()
        for b in besluiten:
            assert b.toelichting_versleuteld is not None
            beoordeel(
                f"Toelichting bij besluit {b.ref} ({b.uitkomst})",
                {Gegevenscategorie.PLAN},
                b.ref,
                b.actor_rol == rol and b.actor_organisatie == actor.organisatie,
                {"toelichting": omg.sleutels.ontsleutel(b.toelichting_versleuteld, "besluit.toelichting").decode()},
            )

        getoonde_cat = {c for o in getoond for c in o.categorieen}
        achter_cat = gelogd_achter - getoonde_cat  # the log keeps the categories, for the auditor
        gronden = {g for o in getoond for g in o.grondslagen}
        uitkomst = "verstrekt" if not achter else ("gedeeltelijk" if getoond else "geweigerd")
        reden = achter[0].reden if achter else None
        nummer = log(uitkomst, getoonde_cat, achter_cat, gronden, reden)
        return Inzage(**basis, getoond=getoond, achtergehouden=achter, logregel=nummer)

"""Rights of the data subject (art. 15, 16 and 18 AVG): inzage with a copy, correction, restriction.

Requests are answered by the privacyloket (``privacy.loket`` in the definition), on behalf of the joint
controllers. The export holds everything the case store keeps about the youth — decrypted, because it is the
youth's own data — and the disclosure log of the youth's cases; it goes to a file or the screen, never to
Prefect. Erasure lives with retention (``aanpak.usecases.bewaring``), which knows the legal holds.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from aanpak.omgeving import Omgeving
from aanpak.store.schema import (
    Beperking,
    Besluit,
    Bewaarplicht,
    Casus,
    Correctie,
    Grondslag,
    Historie,
    Jeugdige,
    Overdracht,
    Signaal,
    StapInstantie,
    WerkprocesVersie,
)
from aanpak.usecases import logboek
from aanpak.usecases.casusopslag import casus_op_ref
from aanpak.usecases.grondslag import beperkt, identiteit, loket
from aanpak.usecases.signaal import vingerafdrukken
from aanpak.usecases.vastlegging import historie
from models.actor import Actor
from models.binding import controleer_actor
from models.fouten import Conflict, DomeinFout, InvoerFout
from models.privacy import Beperkingsreden
from models.signaal import Jeugdige as JeugdigeIn
from models.signaal import elfproef
from models.werkproces import Gegevenscategorie

#: The identity fields a correction may change (dotted for the address).
CORRIGEERBAAR = (
    "voornamen",
    "tussenvoegsel",
    "achternaam",
    "geboortedatum",
    "bsn",
    "adres.straat",
    "adres.huisnummer",
    "adres.postcode",
    "adres.plaats",
)

_ALLE_CATEGORIEEN = [c.value for c in Gegevenscategorie]


class Verzoekafhandeling(BaseModel):
    casus_ref: str
    handeling: str
    herhaald: bool = False
    velden: list[str] = []


#: What the privacyloket checks before the export leaves the building (art. 15(4) AVG: rights of others).
LET_OP = (
    "melders staan alleen met hun rol vermeld; lees de toelichtingen en zorgbeschrijvingen na op gegevens over "
    "anderen en op wat een melder kan herleiden, vóór verstrekking."
)


class Dossier(BaseModel):
    """Everything held about one youth, for an inzage request. Contains personal data: screen or file only.

    Melders appear by role only (art. 15(4) AVG); free texts are the loket's to review before release."""

    opgemaakt_op: datetime
    let_op: str = LET_OP
    opgemaakt_door: str
    jeugdige: dict[str, Any]
    correcties: list[dict[str, Any]]
    beperkingen: list[dict[str, Any]]
    casussen: list[dict[str, Any]]
    verwerkingen: list[dict[str, Any]]

    def als_tekst(self) -> str:
        """A readable Dutch version of the export for the data subject."""
        regels = [
            "INZAGE IN PERSOONSGEGEVENS (art. 15 AVG)",
            f"Opgemaakt op {self.opgemaakt_op:%d-%m-%Y %H:%M} UTC door {self.opgemaakt_door}",
            f"Let op (privacyloket): {LET_OP}",
            "",
            "Gegevens van de jeugdige",
        ]
        regels += [f"  {k}: {_tekst(v)}" for k, v in self.jeugdige.items()]
        if self.correcties:
            regels += ["", "Eerdere (gecorrigeerde) versies"]
            for c in self.correcties:
                regels.append(f"  {c['moment']}: gewijzigd {', '.join(c['velden'])} door {c['door']}")
                regels += [f"    vorige {k}: {_tekst(v)}" for k, v in c["vorige"].items()]
        if self.beperkingen:
            regels += ["", "Beperking van de verwerking"]
            regels += [
                f"  {b['reden']} vanaf {b['vastgelegd_op']}"
                + (f", opgeheven {b['opgeheven_op']}" if b["opgeheven_op"] else "")
                for b in self.beperkingen
            ]
        for c in self.casussen:
            regels += ["", f"Casus {c['ref']} — {c['status']}, AVE {c['ave']}, geopend {c['geopend_op']}"]
            regels.append(f"  casusregie: {c['casusregie'] or '-'}, procesregie: {c['procesregie'] or '-'}")
            for s in c["signalen"]:
                regels.append(
                    f"  Signaal {s['ref']} van {s['bron_rol']} op {s['ontvangen_op']} ({', '.join(s['categorieen'])})"
                )
                regels.append(f"    zorg: {s['zorg']}")
                regels.append(f"    melder: {s['melder']['rol']}")
            for st in c["stappen"]:
                regels.append(
                    f"  Stap {st['stap']} ({st['eigenaar']}): {st['status']}, uiterlijk {st['termijn_einde']}"
                    + (f", uitkomst {st['uitkomst']}" if st["uitkomst"] else "")
                )
            for b in c["besluiten"]:
                regels.append(f"  Besluit {b['ref']}: {b['uitkomst']} door {b['actor_rol']} op {b['besloten_op']}")
                if b["toelichting"]:
                    regels.append(f"    toelichting: {b['toelichting']}")
            for b in c["bewaarplichten"]:
                regels.append(
                    f"  Bewaarplicht {b['ref']} ({b['reden']}) vanaf {b['vanaf']}"
                    + (f", opgeheven {b['opgeheven_op']}" if b["opgeheven_op"] else "")
                )
            for g in c["grondslagen"]:
                regels.append(
                    f"  Grondslag {g['ref']}: {g['soort']} voor {g['doel']}, vastgelegd {g['vastgelegd_op']}"
                    + (f", ingetrokken {g['ingetrokken_op']}" if g["ingetrokken_op"] else "")
                )
        regels += ["", "Wie heeft wat ingezien of gedeeld (verwerkingslog)"]
        for v in self.verwerkingen:
            regels.append(
                f"  {v['moment']} {v['casus_ref']}: {v['handeling']} door {v['rol']} ({v['actor']}), "
                f"doel {v['doel']}, {v['uitkomst']}"
                + (f" — {', '.join(v['categorieen'])}" if v["categorieen"] else "")
                + (f"; niet: {', '.join(v['geweigerd'])}" if v["geweigerd"] else "")
            )
        return "\n".join(regels) + "\n"


def _tekst(waarde: Any) -> str:
    if isinstance(waarde, dict):
        return ", ".join(f"{k}: {_tekst(v)}" for k, v in waarde.items() if v not in (None, ""))
    return "" if waarde is None else str(waarde)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def _verzoek(omg: Omgeving, sessie: Session, casus_ref: str, actor: Actor) -> tuple[Casus, str, Jeugdige]:
    """A request of a data subject: the case, the loket's concrete organisation, and the youth (locked).
    Only the privacyloket, at an organisation of its type in the register (``models.binding``)."""
    casus = casus_op_ref(sessie, casus_ref)
    wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
    loket(wp, actor.rol)  # the role first: a coordinator hears "only the privacyloket", not "which school?"
    controleer_actor(wp, omg.werkprocessen.register(), actor)
    organisatie = actor.organisatie
    jeugdige = sessie.get(Jeugdige, casus.jeugdige_id, with_for_update=True)
    assert jeugdige is not None
    return casus, organisatie, jeugdige


def _log(
    sessie: Session, nu: datetime, casus_refs: list[str], handeling: str, actor: str, rol: str, org: str, **extra: Any
) -> None:
    for ref in casus_refs:
        logboek.schrijf(
            sessie,
            moment=nu,
            casus_ref=ref,
            handeling=handeling,
            actor=actor,
            rol=rol,
            organisatie=org,
            doel="verzoek_betrokkene",
            **extra,
        )


def exporteer(omg: Omgeving, casus_ref: str, actor: Actor) -> Dossier:
    """Everything held about the youth of this case (all its cases), disclosure log included; logged."""
    door, rol = actor.persoon, actor.rol
    nu = omg.nu()
    with omg.uow() as sessie:
        _, organisatie, jeugdige = _verzoek(omg, sessie, casus_ref, actor)
        casussen = sessie.scalars(select(Casus).where(Casus.jeugdige_id == jeugdige.id).order_by(Casus.id)).all()
        refs = [c.ref for c in casussen]
        _log(
            sessie,
            nu,
            refs,
            "export",
            door,
            rol,
            organisatie,
            uitkomst="verstrekt",
            categorieen=_ALLE_CATEGORIEEN,
            grondslagen=["art15_avg"],
        )
        return Dossier(
            opgemaakt_op=nu,
            opgemaakt_door=f"{door} ({rol})",
            jeugdige=identiteit(omg, jeugdige).model_dump(mode="json"),
            correcties=[
                {
                    "moment": _iso(c.moment),
                    "velden": list(c.velden),
                    "door": f"{c.door} ({c.rol})",
                    "vorige": json.loads(omg.sleutels.ontsleutel(c.vorige_versleuteld, "correctie.vorige")),
                }
                for c in sessie.scalars(
                    select(Correctie).where(Correctie.jeugdige_id == jeugdige.id).order_by(Correctie.id)
                )
            ],
            beperkingen=[
                {"reden": b.reden, "vastgelegd_op": _iso(b.vastgelegd_op), "opgeheven_op": _iso(b.opgeheven_op)}
                for b in sessie.scalars(
                    select(Beperking).where(Beperking.jeugdige_id == jeugdige.id).order_by(Beperking.id)
                )
            ],
            casussen=[_casus(omg, sessie, c) for c in casussen],
            verwerkingen=[logboek.inhoud(v) for v in logboek.van_casussen(sessie, refs)],
        )


def _casus(omg: Omgeving, sessie: Session, c: Casus) -> dict[str, Any]:
    def ontsleutel(blob: bytes | None, context: str) -> str | None:
        return None if blob is None else omg.sleutels.ontsleutel(blob, context).decode()

    versie = sessie.get(WerkprocesVersie, c.werkproces_id)
    return {
        "ref": c.ref,
        "status": c.status,
        "ave": c.ave_niveau,
        "casusregie": c.casusregie,
        "procesregie": c.procesregie,
        "geopend_op": _iso(c.geopend_op),
        "gesloten_op": _iso(c.gesloten_op),
        "werkproces": f"{versie.key} {versie.versie}" if versie else None,
        "signalen": [
            {
                "ref": s.ref,
                "bron_rol": s.bron_rol,
                "categorieen": list(s.categorieen),
                "acuut": s.acuut,
                "wijk": s.wijk,
                "ontvangen_op": _iso(s.ontvangen_op),
                "zorg": ontsleutel(s.zorg_versleuteld, "signaal.zorg"),
                # Art. 15(4) AVG: the reporting professional's identity and contact are someone else's data
                # (and a melder is protected): the data subject learns the role, not the person.
                "melder": {"rol": s.bron_rol},
            }
            for s in sessie.scalars(select(Signaal).where(Signaal.casus_id == c.id).order_by(Signaal.id))
        ],
        "stappen": [
            {
                "stap": s.stap_key,
                "eigenaar": s.eigenaar_rol,
                "status": s.status,
                "gestart_op": _iso(s.gestart_op),
                "termijn_einde": _iso(s.termijn_einde),
                "afgerond_op": _iso(s.afgerond_op),
                "uitkomst": s.uitkomst,
            }
            for s in sessie.scalars(
                select(StapInstantie).where(StapInstantie.casus_id == c.id).order_by(StapInstantie.id)
            )
        ],
        "besluiten": [
            {
                "ref": b.ref,
                "uitkomst": b.uitkomst,
                "actor_rol": b.actor_rol,
                "besloten_op": _iso(b.besloten_op),
                "toelichting": ontsleutel(b.toelichting_versleuteld, "besluit.toelichting"),
            }
            for b in sessie.scalars(select(Besluit).where(Besluit.casus_id == c.id).order_by(Besluit.id))
        ],
        "overdrachten": [
            {"ref": o.ref, "soort": o.soort, "van": o.van_rol, "naar": o.naar_rol, "status": o.status}
            for o in sessie.scalars(select(Overdracht).where(Overdracht.casus_id == c.id).order_by(Overdracht.id))
        ],
        "grondslagen": [
            {
                "ref": g.ref,
                "soort": g.soort,
                "gegeven_door": list(g.gegeven_door),
                "doel": g.doel,
                "vastgelegd_op": _iso(g.vastgelegd_op),
                "ingetrokken_op": _iso(g.ingetrokken_op),
                "toelichting": ontsleutel(g.toelichting_versleuteld, "grondslag.toelichting"),
            }
            for g in sessie.scalars(select(Grondslag).where(Grondslag.casus_id == c.id).order_by(Grondslag.id))
        ],
        "bewaarplichten": [
            {
                "ref": b.ref,
                "reden": b.reden,
                "vanaf": _iso(b.vanaf),
                "tot": _iso(b.tot),
                "opgeheven_op": _iso(b.opgeheven_op),
            }
            for b in sessie.scalars(select(Bewaarplicht).where(Bewaarplicht.casus_id == c.id).order_by(Bewaarplicht.id))
        ],
        "historie": [
            {"moment": _iso(h.moment), "soort": h.soort, "stap": h.stap_key, "rol": h.rol}
            for h in sessie.scalars(select(Historie).where(Historie.casus_id == c.id).order_by(Historie.id))
        ],
    }


def corrigeer(omg: Omgeving, casus_ref: str, wijzigingen: dict[str, str], actor: Actor) -> Verzoekafhandeling:
    """Correct the youth's identity; the previous version is kept (encrypted) and the change logged."""
    door, rol = actor.persoon, actor.rol
    onbekend = [
        (f"veld:{k}", f"niet te corrigeren; kies uit {', '.join(CORRIGEERBAAR)}")
        for k in wijzigingen
        if k not in CORRIGEERBAAR
    ]
    if onbekend or not wijzigingen:
        raise InvoerFout(onbekend or [("veld", "geef minstens één veld=waarde")])
    nu = omg.nu()
    with omg.uow() as sessie:
        casus, organisatie, jeugdige = _verzoek(omg, sessie, casus_ref, actor)
        huidig = identiteit(omg, jeugdige)
        data = huidig.model_dump(mode="json")
        for veld, waarde in wijzigingen.items():
            if veld.startswith("adres."):
                data["adres"] = {**(data.get("adres") or {}), veld.split(".", 1)[1]: waarde}
            else:
                data[veld] = (waarde or None) if veld == "bsn" else waarde
        try:
            nieuw = JeugdigeIn.model_validate(data)
        except ValidationError as exc:
            from models.fouten import invoerfout_uit

            raise invoerfout_uit(exc) from None
        oud_json, nieuw_json = huidig.model_dump(mode="json"), nieuw.model_dump(mode="json")
        veranderd = sorted(k for k in CORRIGEERBAAR if _pad(oud_json, k) != _pad(nieuw_json, k))
        refs = list(sessie.scalars(select(Casus.ref).where(Casus.jeugdige_id == jeugdige.id).order_by(Casus.id)))
        if not veranderd:
            return Verzoekafhandeling(casus_ref=casus.ref, handeling="correctie", herhaald=True)
        bsn_hash, naam_hash = vingerafdrukken(omg, nieuw)
        if bsn_hash is not None and bsn_hash != jeugdige.bsn_hash:
            ander = sessie.scalar(select(Jeugdige.id).where(Jeugdige.bsn_hash == bsn_hash, Jeugdige.id != jeugdige.id))
            if ander is not None:
                raise Conflict(
                    "dit BSN hoort al bij een andere jeugdige; voeg de dossiers niet stilzwijgend samen",
                    veld="veld:bsn",
                )
        sessie.add(
            Correctie(
                jeugdige_id=jeugdige.id,
                velden=veranderd,
                vorige_versleuteld=omg.sleutels.versleutel(json.dumps(oud_json).encode(), "correctie.vorige"),
                door=door,
                rol=rol,
                moment=nu,
            )
        )
        jeugdige.identiteit_versleuteld = omg.sleutels.versleutel(
            json.dumps(nieuw_json).encode(), "jeugdige.identiteit"
        )
        jeugdige.bsn_hash, jeugdige.naam_hash = bsn_hash, naam_hash
        volgnummer = len(sessie.scalars(select(Correctie.id).where(Correctie.jeugdige_id == jeugdige.id)).all())
        for c in sessie.scalars(select(Casus).where(Casus.jeugdige_id == jeugdige.id)):
            historie(
                sessie,
                c,
                f"correctie:{jeugdige.id}:{volgnummer}",
                "gegevens_gecorrigeerd",
                nu,
                rol=rol,
                organisatie=actor.organisatie,
                actor=door,
                velden=veranderd,
            )
        categorieen = {"contact" if v.startswith("adres.") else "identiteit" for v in veranderd}
        _log(
            sessie,
            nu,
            refs,
            "correctie",
            door,
            rol,
            organisatie,
            uitkomst="vastgelegd",
            categorieen=categorieen,
            grondslagen=["art16_avg"],
        )
        return Verzoekafhandeling(casus_ref=casus.ref, handeling="correctie", velden=veranderd)


def _pad(data: dict[str, Any], veld: str) -> Any:
    waarde: Any = data
    for deel in veld.split("."):
        waarde = (waarde or {}).get(deel)
    return waarde


def beperk(omg: Omgeving, casus_ref: str, reden: Beperkingsreden, actor: Actor) -> Verzoekafhandeling:
    """Restrict processing: from now on nobody is shown the youth's personal data (``casus inzien`` refuses)."""
    door, rol = actor.persoon, actor.rol
    nu = omg.nu()
    with omg.uow() as sessie:
        casus, organisatie, jeugdige = _verzoek(omg, sessie, casus_ref, actor)
        if beperkt(sessie, jeugdige.id) is not None:
            return Verzoekafhandeling(casus_ref=casus.ref, handeling="beperking", herhaald=True)
        beperking = Beperking(jeugdige_id=jeugdige.id, reden=reden.value, vastgelegd_door=door, vastgelegd_op=nu)
        sessie.add(beperking)
        sessie.flush()
        refs = []
        for c in sessie.scalars(select(Casus).where(Casus.jeugdige_id == jeugdige.id).order_by(Casus.id)):
            refs.append(c.ref)
            historie(
                sessie,
                c,
                f"beperking:{beperking.id}",
                "verwerking_beperkt",
                nu,
                rol=rol,
                organisatie=actor.organisatie,
                actor=door,
                reden=reden.value,
            )
        _log(
            sessie,
            nu,
            refs,
            "beperking",
            door,
            rol,
            organisatie,
            uitkomst="vastgelegd",
            reden=reden.value,
            grondslagen=["art18_avg"],
        )
        return Verzoekafhandeling(casus_ref=casus.ref, handeling="beperking")


def hef_beperking_op(omg: Omgeving, casus_ref: str, actor: Actor) -> Verzoekafhandeling:
    door, rol = actor.persoon, actor.rol
    nu = omg.nu()
    with omg.uow() as sessie:
        casus, organisatie, jeugdige = _verzoek(omg, sessie, casus_ref, actor)
        beperking = beperkt(sessie, jeugdige.id)
        if beperking is None:
            return Verzoekafhandeling(casus_ref=casus.ref, handeling="beperking_opgeheven", herhaald=True)
        beperking.opgeheven_op = nu
        beperking.opgeheven_door = door
        refs = []
        for c in sessie.scalars(select(Casus).where(Casus.jeugdige_id == jeugdige.id).order_by(Casus.id)):
            refs.append(c.ref)
            historie(
                sessie,
                c,
                f"beperking:{beperking.id}:opgeheven",
                "beperking_opgeheven",
                nu,
                rol=rol,
                organisatie=actor.organisatie,
                actor=door,
            )
        _log(
            sessie,
            nu,
            refs,
            "beperking_opgeheven",
            door,
            rol,
            organisatie,
            uitkomst="vastgelegd",
            grondslagen=["art18_avg"],
        )
        return Verzoekafhandeling(casus_ref=casus.ref, handeling="beperking_opgeheven")


# -- finding a case by BSN ----------------------------------------------------------------------------------


class Zoekdoel(StrEnum):
    """Why the privacyloket looks a youth up by BSN: the request of the data subject it serves."""

    INZAGEVERZOEK = "inzageverzoek"
    CORRECTIEVERZOEK = "correctieverzoek"
    BEPERKINGSVERZOEK = "beperkingsverzoek"
    WISVERZOEK = "wisverzoek"


#: The article of the AVG each purpose rests on, for the disclosure log.
_ZOEKGROND = {
    Zoekdoel.INZAGEVERZOEK: "art15_avg",
    Zoekdoel.CORRECTIEVERZOEK: "art16_avg",
    Zoekdoel.BEPERKINGSVERZOEK: "art18_avg",
    Zoekdoel.WISVERZOEK: "art17_avg",
}

#: The ``handeling`` of a BSN search in the disclosure log.
ZOEKEN = "zoeken_bsn"


class Zoekresultaat(BaseModel):
    """The references of the youth's cases (open and closed) — nothing else about them."""

    casus_refs: list[str]


def zoek_op_bsn(omg: Omgeving, bsn: str, doel: Zoekdoel, actor: Actor) -> Zoekresultaat:
    """Find the cases of the youth with exactly this BSN, for the privacyloket only; every search is logged.

    A data subject comes to the loket with a BSN, not a case reference. The match goes through the keyed
    hash only (the store cannot be searched on the plain number, and nothing is decrypted); the log names the
    purpose and the outcome, never the number. A refusal (another role, an invalid BSN) is logged too.
    """
    nu = omg.nu()
    wp = omg.werkprocessen.bestand()[0]
    weigering: DomeinFout | None = None
    organisatie: str | None = None
    try:
        loket(wp, actor.rol, "op BSN zoeken")
        controleer_actor(wp, omg.werkprocessen.register(), actor)
        organisatie = actor.organisatie
    except DomeinFout as exc:
        weigering = exc
    bsn = bsn.replace(" ", "").replace(".", "")  # as a signal's BSN is read (models.signaal)
    if weigering is None and not (bsn.isascii() and elfproef(bsn)):
        weigering = InvoerFout([("bsn", "geen geldig BSN (9 cijfers die aan de elfproef voldoen)")])
    with omg.uow() as sessie:
        gemeenschappelijk: dict[str, Any] = {
            "moment": nu,
            "handeling": ZOEKEN,
            "actor": actor.persoon,
            "rol": actor.rol,
            "organisatie": organisatie,
            "doel": doel.value,
            "grondslagen": [_ZOEKGROND[doel]],
            "categorieen": ["identiteit"],
        }
        if weigering is not None:
            reden = "ongeldig_bsn" if weigering.veld == "bsn" else "geen_privacyloket"
            logboek.schrijf(sessie, casus_ref=None, uitkomst="geweigerd", reden=reden, **gemeenschappelijk)
        else:
            vingerafdruk = omg.sleutels.vingerafdruk(bsn, "bsn")
            refs = list(
                sessie.scalars(
                    select(Casus.ref)
                    .join(Jeugdige, Jeugdige.id == Casus.jeugdige_id)
                    .where(Jeugdige.bsn_hash == vingerafdruk)
                    .order_by(Casus.id)
                )
            )
            if not refs:
                logboek.schrijf(sessie, casus_ref=None, uitkomst="niet_gevonden", **gemeenschappelijk)
            for ref in refs:
                logboek.schrijf(sessie, casus_ref=ref, uitkomst="gevonden", **gemeenschappelijk)
            return Zoekresultaat(casus_refs=refs)
    raise weigering

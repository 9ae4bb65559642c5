"""From an outbox row to a template's ``Inhoud``: names from the case's own definition, dates, contacts.

Who must act is named as the concrete organisation of the register ("Casusregisseur wijkteam (Sociale basis /
wijkteam Venlo — Incluzio)"), not the organisation type: the recipient's own organisation, the step owner's (from
the row, else the case's step), the parties of a handoff (from the handoff row).

Only whitelisted, non-personal facts are copied from the row's ``gegevens``. For a match the professionals'
contact details are decrypted from the signals (``signaal.melder``): the other partner's contact is what a
match message is for; the youth's identity and the concern are never read here.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aanpak.meldingen.sjablonen import Contact, Inhoud
from aanpak.omgeving import Omgeving
from aanpak.store.schema import Casus, Melding, Overdracht, Signaal, StapInstantie
from models.casus import kalender_voor
from models.kalender import lokale_datum
from models.meldingen import Meldingsoort
from models.organisaties import Organisatieregister
from models.werkproces import Werkproces


def inzage(casus_ref: str, inzage_url: str) -> str:
    if inzage_url:
        return f"{inzage_url.rstrip('/')}/{casus_ref}"
    return f"aanpak casus tijdlijn {casus_ref}"


def rolnaam(
    wp: Werkproces, rol: str | None, organisatie: str | None = None, register: Organisatieregister | None = None
) -> str:
    """A role as a coordinator reads it, at its concrete organisation when known (else the type's name)."""
    if not rol:
        return ""
    if not wp.heeft_rol(rol):
        return rol
    r = wp.rol(rol)
    if organisatie and register is not None and register.heeft(organisatie):
        return f"{r.naam} ({register.organisatie(organisatie).naam})"
    return f"{r.naam} ({wp.organisatie(r.organisatie).naam})"


def _tekst(waarde: object) -> str | None:
    return waarde if isinstance(waarde, str) and waarde else None


def _eigenaar_organisatie(sessie: Session, casus: Casus, melding: Melding, eigenaar: str | None) -> str | None:
    """The owner's organisation: named in the row, else the handoff's receiver, else the case's step."""
    g = melding.gegevens or {}
    if _tekst(g.get("eigenaar_organisatie")):
        return str(g["eigenaar_organisatie"])
    if eigenaar is None:
        return None
    overdracht = _overdracht(sessie, casus, g)
    if overdracht is not None and overdracht.naar_rol == eigenaar:
        return overdracht.naar_organisatie
    if not melding.stap_key:
        return None
    return sessie.scalars(
        select(StapInstantie.eigenaar_organisatie)
        .where(
            StapInstantie.casus_id == casus.id,
            StapInstantie.stap_key == melding.stap_key,
            StapInstantie.eigenaar_rol == eigenaar,
        )
        .order_by(StapInstantie.id.desc())
    ).first()


def _overdracht(sessie: Session, casus: Casus, g: dict[str, object]) -> Overdracht | None:
    ref = _tekst(g.get("overdracht"))
    if ref is None:
        return None
    return sessie.scalar(select(Overdracht).where(Overdracht.ref == ref, Overdracht.casus_id == casus.id))


#: Namespace of our idempotency keys (UUIDv5 of the outbox row's unique key).
_NAAMRUIMTE = uuid.UUID("6f1d2c3a-8b7e-4f5a-9c1d-2e3f4a5b6c7d")


def kenmerk_van(melding: Melding) -> str:
    """The stable idempotency key of a notification: the same for every resend and every channel."""
    return str(uuid.uuid5(_NAAMRUIMTE, melding.sleutel))


def inhoud_van(omg: Omgeving, sessie: Session, melding: Melding, nu: datetime, inzage_url: str) -> Inhoud:
    casus = sessie.get_one(Casus, melding.casus_id)
    wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
    g = melding.gegevens or {}
    stap = wp.stap(melding.stap_key) if melding.stap_key and wp.heeft_stap(melding.stap_key) else None
    eigenaar = g.get("eigenaar") if isinstance(g.get("eigenaar"), str) else None
    register = omg.werkprocessen.register()
    eigenaar_org = _eigenaar_organisatie(sessie, casus, melding, eigenaar)
    werkdagen = None
    if melding.termijn_einde is not None:
        werkdagen = kalender_voor(wp).werkdagen_tussen(lokale_datum(nu), lokale_datum(melding.termijn_einde))
    return Inhoud(
        soort=melding.soort,
        casus_ref=casus.ref,
        ontvanger_rol=melding.ontvanger_rol,
        ontvanger_naam=rolnaam(wp, melding.ontvanger_rol, melding.ontvanger_organisatie, register),
        kenmerk=kenmerk_van(melding),
        inzage=inzage(casus.ref, inzage_url),
        stap_key=melding.stap_key,
        stap_naam=stap.naam if stap else None,
        stap_omschrijving=" ".join(stap.omschrijving.split()) if stap and stap.omschrijving else None,
        eigenaar_naam=rolnaam(wp, eigenaar, eigenaar_org, register) or None,
        is_eigenaar=eigenaar == melding.ontvanger_rol
        and (eigenaar_org is None or eigenaar_org == melding.ontvanger_organisatie),
        termijn_einde=melding.termijn_einde,
        werkdagen=werkdagen,
        details=_details(wp, register, sessie, casus, melding),
        contacten=_contacten(omg, sessie, casus, melding, wp, register) if melding.soort == Meldingsoort.MATCH else (),
    )


def _details(
    wp: Werkproces, register: Organisatieregister, sessie: Session, casus: Casus, melding: Melding
) -> dict[str, str]:
    """Only known, non-personal keys; values are references, keys and role names (at their organisation)."""
    g = melding.gegevens or {}
    overdracht = _overdracht(sessie, casus, g)
    uit: dict[str, str] = {}
    uitkomst = g.get("uitkomst")
    if isinstance(uitkomst, str):
        gevonden = None
        if melding.stap_key and wp.heeft_stap(melding.stap_key):
            gevonden = wp.stap(melding.stap_key).uitkomst(uitkomst)
        uit["uitkomst"] = gevonden.label if gevonden else uitkomst
    for sleutel in ("overdracht", "kanaal", "oorspronkelijk", "pogingen", "melding", "niveau", "ave"):
        if isinstance(g.get(sleutel), str | int):
            uit[sleutel] = str(g[sleutel])
    oorzaak = g.get("oorzaak")
    if isinstance(oorzaak, str):
        uit["oorzaak"] = wp.stap(oorzaak).naam if wp.heeft_stap(oorzaak) else "de overdracht"
    if isinstance(g.get("soort"), str):
        uit["regie"] = g["soort"]
    naar_org = overdracht.naar_organisatie if overdracht else None
    van_org = overdracht.van_organisatie if overdracht else None
    if isinstance(g.get("naar_rol"), str):
        uit["naar"] = rolnaam(wp, g["naar_rol"], naar_org, register)
        aan_ontvanger = g["naar_rol"] == melding.ontvanger_rol and naar_org in (None, melding.ontvanger_organisatie)
        uit["aan_ontvanger"] = "ja" if aan_ontvanger else "nee"
    if isinstance(g.get("van_rol"), str):
        uit["van"] = rolnaam(wp, g["van_rol"], van_org, register)
    if isinstance(g.get("ontvanger"), str):
        uit["ontvanger"] = rolnaam(wp, g["ontvanger"], _oorspronkelijke_ontvanger(sessie, g), register)
    return uit


def _oorspronkelijke_ontvanger(sessie: Session, g: dict[str, object]) -> str | None:
    """For a failed-delivery notice: the organisation of the notification that could not be delivered."""
    if _tekst(g.get("ontvanger_organisatie")):
        return str(g["ontvanger_organisatie"])
    melding_id = g.get("melding")
    if not isinstance(melding_id, int):
        return None
    oorspronkelijk = sessie.get(Melding, melding_id)
    return oorspronkelijk.ontvanger_organisatie if oorspronkelijk else None


def _contacten(
    omg: Omgeving, sessie: Session, casus: Casus, melding: Melding, wp: Werkproces, register: Organisatieregister
) -> tuple[Contact, ...]:
    """The other professional(s): the new melder for everyone else; the earlier melders for the new melder."""
    nieuw_ref = (melding.gegevens or {}).get("signaal")
    signalen = list(sessie.scalars(select(Signaal).where(Signaal.casus_id == casus.id).order_by(Signaal.id)))
    nieuw = next((s for s in signalen if s.ref == nieuw_ref), None)
    if nieuw is None:
        return ()
    if melding.ontvanger_rol == nieuw.bron_rol:
        anderen = [s for s in signalen if s.id != nieuw.id and s.bron_rol != nieuw.bron_rol]
    else:
        anderen = [nieuw]
    contacten: dict[str, Contact] = {}
    for s in anderen:
        melder = json.loads(omg.sleutels.ontsleutel(s.melder_versleuteld, "signaal.melder"))
        contacten[s.bron_rol] = Contact(
            rol=rolnaam(wp, s.bron_rol, s.melder_organisatie, register),
            naam=str(melder.get("naam") or ""),
            telefoon=melder.get("telefoon") or None,
            email=melder.get("email") or None,
        )
    return tuple(contacten.values())

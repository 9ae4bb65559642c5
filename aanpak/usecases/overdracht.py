"""Warme overdracht: regie moves only when the receiving role accepts; until then the old holder stays on."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Besluit, Casus, Overdracht
from aanpak.usecases.casusopslag import regie_van, wijzig_ave, zet_regie
from aanpak.usecases.stappen import actieve_stappen
from aanpak.usecases.vastlegging import Feit, historie, leg_vast_en_meld, meld
from models.actor import Actor
from models.binding import Partij, controleer_actor, partij
from models.casus import OverdrachtStatus
from models.fouten import Conflict, DomeinFout, NietGevonden
from models.meldingen import Meldingsoort


class OverdrachtGeaccepteerd(BaseModel):
    overdracht_ref: str
    casus_ref: str
    soort: str
    naar_rol: str
    overgedragen_stappen: list[str]
    herhaald: bool = False


def accepteer_overdracht(omg: Omgeving, overdracht_ref: str, actor: Actor) -> OverdrachtGeaccepteerd:
    """Only the receiving role at the receiving organisation accepts: another school's coordinator cannot."""
    nu = omg.nu()
    with omg.uow() as sessie:
        overdracht = sessie.scalar(select(Overdracht).where(Overdracht.ref == overdracht_ref))
        if overdracht is None:
            raise NietGevonden(f"overdracht '{overdracht_ref}' bestaat niet", veld="overdracht")
        casus = sessie.scalar(select(Casus).where(Casus.id == overdracht.casus_id).with_for_update())
        assert casus is not None
        wp = omg.werkprocessen.van(sessie, casus.werkproces_id)
        controleer_actor(wp, omg.werkprocessen.register(), actor)
        naar = Partij(overdracht.naar_organisatie or "", overdracht.naar_rol)
        van = Partij(overdracht.van_organisatie or "", overdracht.van_rol) if overdracht.van_rol else None
        if partij(actor) != naar:
            if actor.rol == naar.rol:
                # Same role at another organisation: not involved, so told nothing about the handoff.
                raise NietGevonden(f"overdracht '{overdracht_ref}' bestaat niet", veld="overdracht")
            raise DomeinFout(f"alleen rol '{overdracht.naar_rol}' kan deze overdracht accepteren", veld="actor_rol")
        if overdracht.status == OverdrachtStatus.GEACCEPTEERD:
            return OverdrachtGeaccepteerd(
                overdracht_ref=overdracht.ref,
                casus_ref=casus.ref,
                soort=overdracht.soort,
                naar_rol=overdracht.naar_rol,
                overgedragen_stappen=[],
                herhaald=True,
            )
        if overdracht.status != OverdrachtStatus.AANGEBODEN:
            raise Conflict(f"overdracht {overdracht.ref} is {overdracht.status}", veld="overdracht")
        overdracht.status = OverdrachtStatus.GEACCEPTEERD
        overdracht.beantwoord_op = nu
        overdracht.beantwoord_door = actor.persoon
        zet_regie(casus, overdracht.soort, naar)
        historie(
            sessie,
            casus,
            f"overdracht:{overdracht.ref}:geaccepteerd",
            "overdracht_geaccepteerd",
            nu,
            rol=actor.rol,
            organisatie=actor.organisatie,
            actor=actor.persoon,
            soort=overdracht.soort,
            van=overdracht.van_rol,
            overdracht=overdracht.ref,
        )
        # The acceptance's history entry comes first and its messages last, after the moved steps' (below):
        # written apart on purpose, so the order of entries and of messages stays as it is.
        # Steps owned "by whoever holds this regie" follow the regie to its new holder.
        verplaatst: list[str] = []
        for stap in actieve_stappen(sessie, casus):
            eigenaar = Partij(stap.eigenaar_organisatie or "", stap.eigenaar_rol)
            if wp.stap(stap.stap_key).eigenaar == overdracht.soort and eigenaar == van:
                stap.eigenaar_rol = naar.rol
                stap.eigenaar_organisatie = naar.organisatie
                verplaatst.append(stap.stap_key)
                leg_vast_en_meld(
                    sessie,
                    casus,
                    f"stap:{stap.id}:overgedragen:{overdracht.ref}",
                    nu,
                    Feit(
                        "stap_overgedragen",
                        stap_key=stap.stap_key,
                        rol=overdracht.naar_rol,
                        organisatie=naar.organisatie,
                        gegevens={"van": overdracht.van_rol},
                    ),
                    Meldingsoort.STAP_GESTART,
                    [naar],
                    termijn_einde=stap.termijn_einde,
                    eigenaar=overdracht.naar_rol,
                )
        meld(
            sessie,
            casus,
            f"overdracht:{overdracht.ref}:geaccepteerd",
            Meldingsoort.OVERDRACHT_GEACCEPTEERD,
            [p for p in dict.fromkeys((van, regie_van(sessie, casus).procesregie)) if p],
            nu,
            overdracht=overdracht.ref,
            soort=overdracht.soort,
            naar_rol=overdracht.naar_rol,
        )
        if overdracht.besluit_id is not None:
            besluit = sessie.get_one(Besluit, overdracht.besluit_id)
            nog_open = sessie.scalar(
                select(Overdracht.id).where(
                    Overdracht.besluit_id == besluit.id, Overdracht.status == OverdrachtStatus.AANGEBODEN
                )
            )
            if besluit.ave_niveau is not None and nog_open is None:
                wijzig_ave(sessie, casus, besluit.ave_niveau, besluit.ref, nu)
        sessie.flush()
        return OverdrachtGeaccepteerd(
            overdracht_ref=overdracht.ref,
            casus_ref=casus.ref,
            soort=overdracht.soort,
            naar_rol=overdracht.naar_rol,
            overgedragen_stappen=verplaatst,
        )

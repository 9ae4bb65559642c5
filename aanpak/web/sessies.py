"""Server-side sessions of the web app: the cookie holds a random id, the ``websessie`` row everything else.

A login under way is a row without a person (OIDC ``state``, ``nonce``, PKCE verifier, ten minutes); a finished
login replaces it by a new row with a new id, so an id seen before login never becomes a session. Rows are found
by the SHA-256 of the id. Sessions end after ``sessie_inactief_minuten`` unused and ``sessie_max_uren`` after
login; logging out deletes the row. Each session has its own CSRF token, compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from aanpak.omgeving import Omgeving
from aanpak.store.schema import WebSessie
from aanpak.toegang import Identiteit
from aanpak.web.instellingen import WebInstellingen

AANMELDING_MINUTEN = 10


def _hash(sleutel: str) -> str:
    return hashlib.sha256(sleutel.encode()).hexdigest()


def pkce_uitdaging(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass(frozen=True)
class Aanmelding:
    sleutel: str
    state: str
    nonce: str
    verifier: str

    @property
    def uitdaging(self) -> str:
        return pkce_uitdaging(self.verifier)


@dataclass(frozen=True)
class Sessie:
    persoon: str
    organisatie: str
    rollen: tuple[str, ...]
    rol: str | None
    csrf: str

    def csrf_klopt(self, gegeven: str | None) -> bool:
        return gegeven is not None and hmac.compare_digest(gegeven.encode(), self.csrf.encode())


class Sessies:
    def __init__(self, omg: Omgeving, inst: WebInstellingen) -> None:
        self._omg = omg
        self._inst = inst

    def begin_aanmelding(self) -> Aanmelding:
        a = Aanmelding(
            sleutel=secrets.token_urlsafe(32),
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            verifier=secrets.token_urlsafe(48),
        )
        nu = self._omg.nu()
        with self._omg.uow() as s:
            s.execute(delete(WebSessie).where(WebSessie.verloopt_op <= nu))
            s.add(
                WebSessie(
                    sleutel_hash=_hash(a.sleutel),
                    rollen=[],
                    csrf=secrets.token_urlsafe(32),
                    state=a.state,
                    nonce=a.nonce,
                    verifier=a.verifier,
                    aangemaakt_op=nu,
                    laatst_gebruikt_op=nu,
                    verloopt_op=nu + timedelta(minutes=AANMELDING_MINUTEN),
                )
            )
        return a

    def neem_aanmelding(self, sleutel: str | None, state: str | None) -> Aanmelding | None:
        """The login under way for this cookie if ``state`` matches; it is used up either way."""
        if not sleutel:
            return None
        with self._omg.uow() as s:
            rij = s.scalar(select(WebSessie).where(WebSessie.sleutel_hash == _hash(sleutel)))
            if rij is None or rij.persoon is not None:
                return None
            s.delete(rij)
            if rij.verloopt_op <= self._omg.nu() or rij.state is None or rij.nonce is None or rij.verifier is None:
                return None
            if state is None or not hmac.compare_digest(state.encode(), rij.state.encode()):
                return None
            return Aanmelding(sleutel, rij.state, rij.nonce, rij.verifier)

    def maak(self, identiteit: Identiteit) -> tuple[str, Sessie]:
        sleutel = secrets.token_urlsafe(32)
        rollen = sorted(identiteit.rollen)
        nu = self._omg.nu()
        rij = WebSessie(
            sleutel_hash=_hash(sleutel),
            persoon=identiteit.persoon,
            organisatie=identiteit.organisatie,
            rollen=rollen,
            rol=rollen[0] if len(rollen) == 1 else None,
            uitgever=identiteit.uitgever,
            csrf=secrets.token_urlsafe(32),
            aangemaakt_op=nu,
            laatst_gebruikt_op=nu,
            verloopt_op=min(nu + timedelta(hours=self._inst.sessie_max_uren), self._inactief_tot(nu)),
        )
        with self._omg.uow() as s:
            s.add(rij)
            return sleutel, _sessie(rij)

    def _inactief_tot(self, nu: datetime) -> datetime:
        return nu + timedelta(minutes=self._inst.sessie_inactief_minuten)

    def lees(self, sleutel: str | None) -> Sessie | None:
        """The session of this cookie, touched (idle expiry moves on); None when absent or expired."""
        if not sleutel or len(sleutel) > 128:
            return None
        nu = self._omg.nu()
        with self._omg.uow() as s:
            rij = s.scalar(select(WebSessie).where(WebSessie.sleutel_hash == _hash(sleutel)))
            if rij is None or rij.persoon is None:
                return None
            eind = rij.aangemaakt_op + timedelta(hours=self._inst.sessie_max_uren)
            if rij.verloopt_op <= nu or eind <= nu:
                s.delete(rij)
                return None
            rij.laatst_gebruikt_op = nu
            rij.verloopt_op = min(eind, self._inactief_tot(nu))
            return _sessie(rij)

    def kies_rol(self, sleutel: str, rol: str) -> bool:
        with self._omg.uow() as s:
            rij = s.scalar(select(WebSessie).where(WebSessie.sleutel_hash == _hash(sleutel)))
            if rij is None or rij.persoon is None or rol not in rij.rollen:
                return False
            rij.rol = rol
            return True

    def verwijder(self, sleutel: str | None) -> None:
        if not sleutel:
            return
        with self._omg.uow() as s:
            s.execute(delete(WebSessie).where(WebSessie.sleutel_hash == _hash(sleutel)))


def _sessie(rij: WebSessie) -> Sessie:
    return Sessie(rij.persoon or "", rij.organisatie or "", tuple(rij.rollen), rij.rol, rij.csrf)

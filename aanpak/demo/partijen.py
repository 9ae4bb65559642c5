"""The demo's partners as HTTP clients: one fictitious person per organisation, each with its own token.

Every call goes to the demo's aanpak server over ``/api/v1`` with httpx, as a bearer token of the development
issuer for one person of ``aanpak/definities/ontwikkelpersonen.yaml`` and the role named in ``X-Aanpak-Rol``.
Tokens are never printed; every request is recorded (person, organisation, role, method, path, status) so the
demo can show — and a test can check — who asked what.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from aanpak.toegang.ontwikkeluitgever import MAX_GELDIG, Ontwikkeluitgever
from models.fouten import DomeinFout

#: Per request: a transition runs a Prefect flow in the server's process, slow on a loaded machine.
HTTP_TIMEOUT = httpx.Timeout(300.0, connect=30.0)


class DemoFout(DomeinFout):
    """A request of the demo was not answered as the werkproces expects; the message names step and status."""


@dataclass(frozen=True)
class Verzoekregel:
    """One request the demo made: who (from the token), what (method and path, references only), the answer."""

    persoon: str
    organisatie: str
    rol: str
    methode: str
    pad: str
    status: int


@dataclass
class Api:
    """One httpx client for the demo's server and the record of every request made through it."""

    basis_url: str
    uitgever: Ontwikkeluitgever
    verzoeken: list[Verzoekregel] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._http = httpx.Client(base_url=self.basis_url + "/api/v1", timeout=HTTP_TIMEOUT, follow_redirects=False)

    def sluit(self) -> None:
        self._http.close()

    def partij(self, persoon: str, rol: str | None = None) -> Partij:
        """A person of the development issuer's list, acting in ``rol`` (default: their only role)."""
        mens = next(p for p in self.uitgever.personen.personen if p.handle == persoon)
        rol = rol or mens.rollen[0]
        return Partij(self, persoon, mens.organisatie, rol, self.uitgever.geef_token(persoon, rol, MAX_GELDIG))

    def per_organisatie(self) -> Counter[str]:
        return Counter(v.organisatie for v in self.verzoeken)

    def verstuur(self, partij: Partij, methode: str, pad: str, json: Any = None) -> httpx.Response:
        kop = {"Authorization": f"Bearer {partij.token}", "X-Aanpak-Rol": partij.rol}
        try:
            antwoord = self._http.request(methode, pad, json=json, headers=kop)
        except httpx.HTTPError as exc:
            raise DemoFout(f"de aanpak-server antwoordde niet op {methode} {pad} ({type(exc).__name__})") from None
        self.verzoeken.append(
            Verzoekregel(partij.persoon, partij.organisatie, partij.rol, methode, pad, antwoord.status_code)
        )
        return antwoord


@dataclass(frozen=True)
class Partij:
    """A person acting in one role at one organisation, with their own token (kept out of ``repr``)."""

    api: Api = field(repr=False)
    persoon: str
    organisatie: str
    rol: str
    token: str = field(repr=False)

    def __str__(self) -> str:
        return f"{self.organisatie} (token van {self.persoon}, {self.rol})"

    def vraag(self, methode: str, pad: str, json: Any = None, *, verwacht: tuple[int, ...] = (200, 201)) -> Any:
        """The JSON answer of a request that must succeed; a stored request whose transition did not run stops
        the demo (Prefect away), as does any other answer than ``verwacht``."""
        antwoord = self.api.verstuur(self, methode, pad, json)
        if antwoord.status_code not in verwacht:
            raise DemoFout(f"{self}: {methode} {pad} gaf HTTP {antwoord.status_code} ({_probleem(antwoord)})")
        inhoud = antwoord.json()
        if isinstance(inhoud, dict) and inhoud.get("overgang") not in (None, "klaar"):
            raise DemoFout(
                f"{self}: {methode} {pad} is vastgelegd, maar de overgang liep niet ({inhoud.get('melding')}); "
                "is Prefect bereikbaar?"
            )
        return inhoud

    def weigering(self, methode: str, pad: str, json: Any = None) -> httpx.Response:
        """A request the server is expected to refuse; the caller checks the status."""
        return self.api.verstuur(self, methode, pad, json)


def _probleem(antwoord: httpx.Response) -> str:
    """Title, detail and fields of a problem-details answer (they never repeat a submitted value)."""
    try:
        inhoud = antwoord.json()
    except ValueError:
        return "geen JSON"
    if not isinstance(inhoud, dict):
        return "onverwacht antwoord"
    velden = "; ".join(f"{f.get('veld')}: {f.get('reden')}" for f in inhoud.get("errors", []) if isinstance(f, dict))
    return " — ".join(str(d) for d in (inhoud.get("title"), inhoud.get("detail"), velden) if d)

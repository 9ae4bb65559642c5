"""One HTTP call to the aanpak server: the bearer token, the chosen role, generous timeouts, and every refusal
turned into the Dutch message (and exit code) the local CLI prints for the same refusal.

The server answers refusals as RFC 9457 problem details naming fields, never values (``aanpak/server/problemen.py``);
they are printed through the same field and reason texts as the local CLI (``aanpak.cli.foutteksten``). A request
that carries an idempotency key is repeated with the same key after a timeout, so it is recorded once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from aanpak.cli.foutteksten import OPTIES, reden_tekst, veld_tekst
from aanpak.klant import tokenbestand
from models.adres import is_loopback

PREFIX = "/api/v1"
#: Seconds; a transition behind a request may wait for Prefect, so the default is generous: longer than the
#: server waits for a worker (aanpak.uitvoering.WACHTTIJD_SECONDEN, 120 s), or a request whose worker died would be
#: cut off just before the server's "wordt nog verwerkt" and repeated, answering "was al geregistreerd".
STANDAARD_TIMEOUT = 180.0
#: After a timeout a request with an idempotency key is sent again (same key) this many times.
HERHALINGEN = 2

#: Field names as the client's options call them: the role is chosen with --rol, the header's name.
KLANT_OPTIES = {**OPTIES, "actor_rol": "--rol", "header.x-aanpak-rol": "--rol"}
for _weg in ("actor", "actor_organisatie"):
    KLANT_OPTIES.pop(_weg, None)

_INVOER = "Ongeldige invoer"
_DEFINITIE = "De werkproces-definitie is ongeldig."


class Weigering(Exception):
    """What to print (rich markup, already made safe) and the exit code: 1 refused, 2 usage."""

    def __init__(self, regels: list[str], code: int = 1) -> None:
        super().__init__(regels[0] if regels else "")
        self.regels = regels
        self.code = code


def api_url() -> str | None:
    url = os.environ.get("AANPAK_API_URL", "").strip()
    return url.rstrip("/") or None


def controleer_url(url: str) -> None:
    """The bearer token travels only over TLS, or to this machine: plain ``http://`` elsewhere is refused."""
    delen = urlsplit(url)
    if delen.scheme == "https" or (delen.scheme == "http" and is_loopback(delen.hostname)):
        return
    raise Weigering(
        [
            "[bold red]Configuratiefout:[/] AANPAK_API_URL: gebruik https:// (alleen op deze machine mag http://); "
            "uw token gaat anders onversleuteld over het netwerk"
        ]
    )


def timeout() -> float:
    waarde = os.environ.get("AANPAK_API_TIMEOUT", "").strip()
    if not waarde:
        return STANDAARD_TIMEOUT
    try:
        seconden = float(waarde)
    except ValueError:
        raise Weigering(["[bold red]Configuratiefout:[/] AANPAK_API_TIMEOUT: geen getal (seconden)"]) from None
    if not 0 < seconden <= 3600:
        raise Weigering(["[bold red]Configuratiefout:[/] AANPAK_API_TIMEOUT: kies 1 tot 3600 seconden"])
    return seconden


NIET_INGELOGD = "[bold red]Niet ingelogd of token verlopen:[/] "


def token() -> str:
    uit_omgeving = os.environ.get("AANPAK_TOKEN", "").strip()
    if uit_omgeving:
        return uit_omgeving
    try:
        opgeslagen = tokenbestand.lees()
    except tokenbestand.TokenbestandFout as exc:
        raise Weigering([NIET_INGELOGD + reden_tekst(str(exc))]) from None
    if opgeslagen is None:
        raise Weigering([NIET_INGELOGD + "geen token; log in met 'aanpak login' of zet AANPAK_TOKEN."])
    return opgeslagen


@dataclass
class Antwoord:
    status: int
    inhoud: Any = field(default=None)

    @property
    def afgerond(self) -> bool:
        """False for 202: stored, the transition still runs (or is completed later)."""
        return self.status != 202


def verzoek(
    methode: str,
    pad: str,
    *,
    rol: str | None = None,
    json: Any = None,
    params: dict[str, Any] | None = None,
    sleutel: str | None = None,
) -> Antwoord:
    """Send one request to ``AANPAK_API_URL``/api/v1``pad``; a refusal raises :class:`Weigering`."""
    basis = api_url()
    if basis is None:
        raise Weigering(["[bold red]Configuratiefout:[/] AANPAK_API_URL is niet gezet"])
    controleer_url(basis)  # before the token is read, let alone sent
    headers = {"Authorization": f"Bearer {token()}", "Accept": "application/json, application/problem+json"}
    if rol:
        headers["X-Aanpak-Rol"] = rol
    if sleutel:
        headers["Idempotency-Key"] = sleutel
    seconden = timeout()
    pogingen = 1 + (HERHALINGEN if sleutel else 0)
    with httpx.Client(base_url=basis, timeout=httpx.Timeout(seconden, connect=min(seconden, 30.0))) as client:
        for poging in range(pogingen):
            try:
                r = client.request(methode, PREFIX + pad, headers=headers, json=json, params=params)
                break
            except httpx.TimeoutException:
                if poging + 1 < pogingen:
                    continue  # the same idempotency key: a request the server did record is not recorded twice
                raise Weigering(
                    [
                        f"[bold red]Niet gelukt:[/] de server gaf binnen {seconden:g} seconden geen antwoord "
                        "(AANPAK_API_TIMEOUT). Het verzoek is mogelijk vastgelegd; controleer het (postvak, "
                        "tijdlijn) of herhaal het met dezelfde --sleutel."
                    ]
                ) from None
            except httpx.HTTPError as exc:
                raise Weigering(
                    [
                        f"[bold red]Niet gelukt:[/] de aanpak-server ({reden_tekst(basis)}) is niet bereikbaar "
                        f"({type(exc).__name__}); er is niets gewijzigd. Probeer het later opnieuw of waarschuw "
                        "de beheerder."
                    ]
                ) from None
    return _antwoord(r)


def _json(r: httpx.Response) -> Any:
    try:
        return r.json()
    except ValueError:
        return None


def _antwoord(r: httpx.Response) -> Antwoord:
    if r.status_code < 400:
        return Antwoord(r.status_code, _json(r))
    inhoud = _json(r)
    raise Weigering(*probleem_tekst(r.status_code, inhoud if isinstance(inhoud, dict) else {}))


def _fouten(inhoud: dict[str, Any]) -> list[tuple[str, str]]:
    fouten = inhoud.get("errors")
    if not isinstance(fouten, list):
        return []
    return [(str(f.get("veld", "")), str(f.get("reden", ""))) for f in fouten if isinstance(f, dict)]


def probleem_tekst(status: int, inhoud: dict[str, Any]) -> tuple[list[str], int]:
    """The lines and exit code for a problem-details answer, worded as the local CLI words the same refusal."""
    detail = str(inhoud.get("detail") or inhoud.get("title") or f"HTTP {status}")
    fouten = _fouten(inhoud)
    if status == 401:
        return [NIET_INGELOGD + reden_tekst(detail) + " Log in met 'aanpak login' of zet AANPAK_TOKEN."], 1
    if status == 422 and detail.startswith(_INVOER):
        regels = ["[bold red]Ongeldige invoer[/] (er is niets gewijzigd):"]
        regels += [
            f"  • [bold]{veld_tekst(v, opties=KLANT_OPTIES)}[/]: {reden_tekst(reden)}" for v, reden in fouten[:50]
        ]
        if len(fouten) > 50:
            regels.append(f"  … en nog {len(fouten) - 50} fout(en)")
        return regels, 1
    if status == 422 and detail == _DEFINITIE:
        problemen = "\n".join(reden_tekst(f"{v}: {reden}" if v else reden) for v, reden in fouten[:100])
        return [f"[bold red]Configuratiefout:[/] {problemen or reden_tekst(detail)}"], 1
    if status >= 500:
        return [
            "[bold red]Niet gelukt:[/] de aanpak-server meldt een interne fout; er is mogelijk niets gewijzigd. "
            "Probeer het later opnieuw of waarschuw de beheerder."
        ], 1
    veld, reden = fouten[0] if fouten else (None, detail)
    voorvoegsel = f"{veld_tekst(veld, opties=KLANT_OPTIES)}: " if veld else ""
    return [f"[bold red]Geweigerd:[/] {voorvoegsel}{reden_tekst(reden or detail)}"], 1

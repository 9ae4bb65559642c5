"""One message to one channel through apprise: idempotency key, timeouts, and a PII-free failure reason.

Every call builds a fresh apprise plugin from the channel's URL, so concurrent sends never share state. The
idempotency key travels as the HTTP header ``Idempotency-Key`` on ``json://`` (and every other apprise plugin
with custom headers: ``form://``, ``xml://``, ``mailto://``), and in the body's ``Kenmerk:`` line everywhere.
E-mail: apprise's mailto plugin always sets its own random ``Message-ID`` after the custom headers, so a stable
Message-ID would be a second, conflicting header; the mail carries ``Idempotency-Key`` instead.

apprise reports failures only as ``False`` plus log lines that may contain hosts or server text; we classify
those lines into a fixed vocabulary and keep nothing else.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import apprise

from aanpak.meldingen import postvak
from aanpak.meldingen.kanalen import Kanaal
from aanpak.meldingen.sjablonen import Bericht

KOP = "Idempotency-Key"


@dataclass(frozen=True)
class Uitkomst:
    gelukt: bool
    #: e.g. "json: HTTP 503", "mailto: time-out" — never a URL, a server's text or personal data.
    fout: str | None = None


class _Opvang(logging.Handler):
    """Collects apprise's log lines of the current thread's send (for classification only)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lokaal = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        regels: list[str] | None = getattr(self.lokaal, "regels", None)
        if regels is not None and record.levelno >= logging.WARNING:
            regels.append(record.getMessage())


_opvang = _Opvang()
logging.getLogger("apprise").addHandler(_opvang)

_HTTP_STATUS = re.compile(r"\((\d{3})\)|\b(?:status|error|code)\D{0,3}(\d{3})\b", re.IGNORECASE)


def classificeer(schema: str, regels: list[str], exc: BaseException | None = None, *, verlopen: bool = False) -> str:
    """A fixed-vocabulary reason; ``verlopen``: the send took the whole timeout (apprise logs that as a
    connection error at warning level, the word "timeout" only at debug level, which we keep off)."""
    tekst = " ".join(regels)
    laag = tekst.lower()
    if verlopen or isinstance(exc, TimeoutError) or "timed out" in laag or "timeout" in laag:
        reden = "time-out"
    elif "refused" in laag or "connection error" in laag or "connectionerror" in laag or "unreachable" in laag:
        reden = "verbinding mislukt"
    elif m := _HTTP_STATUS.search(tekst):
        reden = (
            f"HTTP {m.group(1) or m.group(2)}"
            if schema.startswith(("json", "form", "xml", "http"))
            else (f"code {m.group(1) or m.group(2)}")
        )
    elif "smtp" in laag or "mail" in laag:
        reden = "e-mailserver weigert"
    elif exc is not None:
        reden = f"onverwachte fout ({type(exc).__name__})"
    else:
        reden = "niet bezorgd"
    return f"{schema}: {reden}"[:200]


def _plugin(kanaal: Kanaal, *, kenmerk: str, rol: str, moment: str, organisatie: str | None = None) -> Any:
    url = kanaal.url
    if kanaal.schema == postvak.SCHEMA:
        velden = {"rol": rol, "kenmerk": kenmerk, "moment": moment}
        if organisatie:
            velden["organisatie"] = organisatie
        url += ("&" if "?" in url else "?") + urlencode(velden)
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        return None
    koppen = getattr(plugin, "headers", None)
    if isinstance(koppen, dict):
        koppen[KOP] = kenmerk
    return plugin


def _begrens(plugin: Any, timeout: float) -> None:
    """Our timeout unless the channel's URL set its own (``cto=``/``rto=`` differ from the plugin default)."""
    soort = type(plugin)
    if getattr(plugin, "socket_connect_timeout", None) == getattr(soort, "socket_connect_timeout", None):
        plugin.socket_connect_timeout = timeout
    if getattr(plugin, "socket_read_timeout", None) == getattr(soort, "socket_read_timeout", None):
        plugin.socket_read_timeout = timeout


def verstuur(
    kanaal: Kanaal,
    bericht: Bericht,
    *,
    kenmerk: str,
    rol: str,
    moment: str,
    timeout: float,
    organisatie: str | None = None,
) -> Uitkomst:
    """Send to exactly one recipient channel; never raises for a delivery failure."""
    plugin = _plugin(kanaal, kenmerk=kenmerk, rol=rol, moment=moment, organisatie=organisatie)
    if plugin is None:
        return Uitkomst(False, f"{kanaal.schema}: kanaal ongeldig")
    _begrens(plugin, timeout)
    regels: list[str] = []
    _opvang.lokaal.regels = regels
    begin = time.monotonic()
    try:
        if plugin.notify(body=bericht.tekst, title=bericht.titel):
            return Uitkomst(True)
        verlopen = time.monotonic() - begin >= 0.9 * timeout
        return Uitkomst(False, classificeer(kanaal.schema, regels, verlopen=verlopen))
    except Exception as exc:
        return Uitkomst(False, classificeer(kanaal.schema, regels, exc))
    finally:
        _opvang.lokaal.regels = None

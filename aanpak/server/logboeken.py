"""The server's log lines carry no token and no personal data: redaction on every logger, paths without queries.

uvicorn's access log prints the request line; here it keeps the path only (no query string) and masks any
path segment that is not a reference, a lowercase key or a number, so nothing typed into a URL is written.
The redaction filter (aanpak/redactie.py) goes on the server's and uvicorn's loggers and their handlers.
"""

from __future__ import annotations

import logging
import re

from aanpak import redactie

SERVER_LOGGERS = ("aanpak.server", "uvicorn", "uvicorn.error", "uvicorn.access", "fastapi")

#: Segments that can stand in a log line: API words and keys (``casussen``, ``interne_weging``), ``v1``,
#: opaque references (``C-7K3M9QXD``) and numbers.
_VEILIG_SEGMENT = re.compile(r"^(?:[a-z][a-z0-9_.-]{0,63}|[A-Z]-[0-9A-Z]{4,12}|\d{1,12})$")
GEMASKEERD = "[…]"


def veilig_pad(pad: str) -> str:
    """The path without its query string, every unexpected segment masked."""
    pad = pad.split("?", 1)[0]
    return "/".join(s if not s or _VEILIG_SEGMENT.match(s) else GEMASKEERD for s in pad.split("/"))


class ToegangslogFilter(logging.Filter):
    """Rewrites uvicorn's access-log arguments ``(client, method, path, http_version, status)`` in place.

    uvicorn's own access formatter unpacks those arguments, so they stay a 5-tuple: the path loses its query
    and strange segments, every text is masked. Any other record gets the ordinary redaction.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            client, methode, pad, versie, status = args
            record.args = (
                redactie.maskeer(str(client)),
                redactie.maskeer(str(methode)),
                redactie.maskeer(veilig_pad(str(pad))),
                redactie.maskeer(str(versie)),
                status,
            )
            return True
        return _REDACTIE.filter(record)


_REDACTIE = redactie.Redactiefilter()
_TOEGANG = ToegangslogFilter()


def _voeg_toe(doel: logging.Filterer, filter_: logging.Filter) -> None:
    if not any(type(f) is type(filter_) for f in doel.filters):
        doel.addFilter(filter_)


def installeer() -> None:
    """Idempotent; called when the app starts, after uvicorn has configured its loggers and handlers."""
    redactie.installeer(prefect_laden=False)
    for naam in SERVER_LOGGERS:
        logger = logging.getLogger(naam)
        if naam == "uvicorn.access":
            # Not the generic redaction: it would drop the arguments uvicorn's access formatter unpacks.
            _voeg_toe(logger, _TOEGANG)
            for handler in logger.handlers:
                _voeg_toe(handler, _TOEGANG)
            continue
        _voeg_toe(logger, _REDACTIE)
        for handler in logger.handlers:
            _voeg_toe(handler, _REDACTIE)

"""Second line of defence: log records are scrubbed of BSNs, e-mail addresses, phone numbers, postcodes, IBANs.

The first line is that no personal data is ever logged (only references, step keys, roles, counts). This filter
catches mistakes: it formats each record's message (and traceback), masks what looks like personal data, and
hands the masked text on. It sits on the ``aanpak`` and Prefect loggers (filters there survive Prefect
reconfiguring its handlers) and on every handler those loggers and the root logger have — Prefect's console
handler and its API handler — so masked text is all that reaches the Prefect server's log table.

Ordinary references (``C-7K3M9QXD``), dates (``11-12-2026``), times, counts and UUIDs are left alone.
"""

from __future__ import annotations

import logging
import re

from models.signaal import elfproef

VERWIJDERD = "[verwijderd]"

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
#: NL, BE, DE… IBANs, with or without spaces in groups of four.
_IBAN = re.compile(r"(?<![\w-])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\w-])")
#: 9 digits, also written 123.456.789, 123 456 789 or 1234.56.789; masked only when the elfproef holds.
_BSN = re.compile(r"(?<![\w.-])(?:\d{9}|\d{3}([. ])\d{3}\1\d{3}|\d{4}\.\d{2}\.\d{3})(?![\w-]|\.\d)")
#: Dutch numbers: 0 + 9 digits, or +31 / 0031 (optionally "(0)") + 9 digits; spaces, dashes, area code in ().
_TELEFOON = re.compile(
    r"(?<![\w+.-])(?:(?:\+|00)31[ -]?(?:\(0\)[ -]?)?|\(0|0)(?:[ -]|\) ?)?(?:\d(?:[ -]|\) ?)?){8}\d(?![\w-]|\.\d)"
)
#: 1234 AB or 1234AB (letters SA, SD and SS are not used in Dutch postcodes).
_POSTCODE = re.compile(r"(?<![\w-])[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}(?![\w-])")
_DATUM = re.compile(r"\d{1,2}-\d{1,2}-\d{4}")


def _bsn(m: re.Match[str]) -> str:
    cijfers = re.sub(r"\D", "", m.group(0))
    return VERWIJDERD if elfproef(cijfers) else m.group(0)


def _telefoon(m: re.Match[str]) -> str:
    tekst = m.group(0)
    return tekst if _DATUM.search(tekst) else VERWIJDERD


def maskeer(tekst: str) -> str:
    """The text with anything that looks like a BSN, e-mail, phone number, postcode or IBAN replaced."""
    tekst = _EMAIL.sub(VERWIJDERD, tekst)
    tekst = _IBAN.sub(VERWIJDERD, tekst)
    tekst = _BSN.sub(_bsn, tekst)
    tekst = _TELEFOON.sub(_telefoon, tekst)
    return _POSTCODE.sub(VERWIJDERD, tekst)


class Redactiefilter(logging.Filter):
    """Masks the formatted message, traceback and stack of every record; never drops a record."""

    _opmaak = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            bericht = record.getMessage()
        except Exception:  # a broken format string: keep only the template, masked
            bericht = str(record.msg)
        record.msg = maskeer(bericht)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._opmaak.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = maskeer(record.exc_text)
            # Formatters that render exc_info themselves would show the raw exception; the text is what counts.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = maskeer(record.stack_info)
        return True


_FILTER = Redactiefilter()

#: Loggers whose records reach the Prefect API or the console directly (plus the root logger's handlers).
LOGGERS = ("aanpak", "prefect", "prefect.flow_runs", "prefect.task_runs", "prefect.extra", "prefect.workers")


def _heeft_filter(doel: logging.Filterer) -> bool:
    return any(isinstance(f, Redactiefilter) for f in doel.filters)


def installeer(*, prefect_laden: bool = True) -> None:
    """Put the filter on the root, aanpak and Prefect loggers and on all their handlers; idempotent.

    Importing Prefect first makes sure its logging configuration (which replaces handlers) has been applied,
    so the handlers found here are the ones that stay. The CLI passes ``prefect_laden=False`` to keep its start
    fast: it imports Prefect only to run a transition, and the flows and tasks install the filter again then.
    """
    if prefect_laden:
        import prefect  # noqa: F401  (configures Prefect's logging on import)

    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in LOGGERS)]
    loggers += [
        lg
        for naam, lg in list(logging.Logger.manager.loggerDict.items())
        if isinstance(lg, logging.Logger) and naam.startswith(("prefect.", "aanpak."))
    ]
    for logger in loggers:
        if not _heeft_filter(logger):
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if not _heeft_filter(handler):
                handler.addFilter(_FILTER)

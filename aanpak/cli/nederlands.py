"""Typer's own texts in Dutch: coordinators read "Gebruik", "Opties" and "Fout", not "Usage" and "Error".

Typer 0.29 vendors click (``typer._click``) and writes most of its texts as plain strings, so there is no
gettext catalogue to install. ``installeer()`` sets typer's documented text constants (``typer.rich_utils``)
and wraps the three places where click composes English: the usage prefix, the help option's text and the
usage-error messages. A usage error names the option or argument and the reason, and — like every refusal of
ours — never repeats the value that was typed (click's "'x' is not a valid integer" does). ``test_cli_nederlands``
checks that ``aanpak --help`` and usage errors hold none of typer's English.
"""

from __future__ import annotations

import re
from typing import Any

from typer import rich_utils
from typer._click import core, exceptions, formatting

HULP = "Toon deze hulp en stop."

_CONSTANTEN = {
    "DEPRECATED_STRING": "(verouderd) ",
    "DEFAULT_STRING": "[standaard: {}]",
    "ENVVAR_STRING": "[omgevingsvariabele: {}]",
    "REQUIRED_LONG_STRING": "[verplicht]",
    "ARGUMENTS_PANEL_TITLE": "Argumenten",
    "OPTIONS_PANEL_TITLE": "Opties",
    "COMMANDS_PANEL_TITLE": "Opdrachten",
    "ERRORS_PANEL_TITLE": "Fout",
    "ABORTED_TEXT": "Afgebroken.",
    "RICH_HELP": "Zie [blue]'{command_path} {help_option}'[/] voor hulp.",
}

#: click's reasons for a bad value, in Dutch and without the value itself.
_REDENEN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"is not a valid integer|Input should be a valid integer"), "geen geheel getal"),
    (re.compile(r"Input should be a valid number"), "geen getal"),
    (re.compile(r"Input should be"), "ongeldige waarde"),
    (re.compile(r"is not a valid float"), "geen getal"),
    (re.compile(r"is not a valid boolean"), "geen ja/nee-waarde"),
    (re.compile(r"is not one of (.*)\.$", re.DOTALL), "kies uit: {0}"),
    (re.compile(r"is not in the range"), "valt buiten het bereik"),
    (re.compile(r"does not exist"), "bestaat niet"),
    (re.compile(r"is not a valid"), "ongeldige waarde"),
]
_SOORT = {"option": "optie", "argument": "argument", "parameter": "waarde"}
_GEBRUIK = [
    (re.compile(r"^Got unexpected extra arguments?"), "onverwachte extra argumenten"),
    (re.compile(r"^Missing command\.?$"), "geef een opdracht"),
    (re.compile(r"^No such command"), "onbekende opdracht"),
    (re.compile(r"^Option '?(.+?)'? requires an argument"), "optie {0} verwacht een waarde"),
    (re.compile(r"^Option '?(.+?)'? does not take a value"), "optie {0} neemt geen waarde"),
    (re.compile(r"^No such option: (\S+)"), "onbekende optie {0}"),
]


def _hint(exc: Any) -> str:
    if exc.param_hint is not None:
        return str(exceptions._join_param_hints(exc.param_hint))
    if exc.param is not None:
        return str(exceptions._join_param_hints(exc.param.get_error_hint()))
    return ""


def _kort(tekst: str, n: int = 60) -> str:
    tekst = "".join(c if c.isprintable() else "?" for c in tekst)
    return tekst if len(tekst) <= n else tekst[: n - 1] + "…"


def _reden(bericht: str) -> str:
    for patroon, dutch in _REDENEN:
        if m := patroon.search(bericht):
            return dutch.format(*m.groups())
    return bericht  # our own (Dutch) reasons, e.g. typer.BadParameter("geef precies één van …")


def _ontbreekt(self: Any) -> str:
    soort = _SOORT.get(self.param_type or (self.param.param_type_name if self.param else ""), "waarde")
    return f"{soort} {_hint(self)} ontbreekt.".replace("  ", " ").capitalize()


def _ongeldig(self: Any) -> str:
    hint = _hint(self)
    return f"Ongeldige waarde voor {hint}: {_reden(self.message)}" if hint else f"Ongeldige waarde: {self.message}"


def _gebruik(self: Any) -> str:
    for patroon, dutch in _GEBRUIK:
        if m := patroon.search(self.message):
            return dutch.format(*(_kort(g) for g in m.groups())).capitalize() + "."
    return str(self.message)


def _geen_optie(self: Any) -> str:
    tekst = _gebruik(self)
    if self.possibilities:
        tekst += f" (bedoelt u: {', '.join(sorted(self.possibilities))})"
    return tekst


_oorspronkelijke_write_usage = formatting.HelpFormatter.write_usage
_oorspronkelijke_usage = core.Command.get_usage
_oorspronkelijke_help_option = core.Command.get_help_option


def _write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
    _oorspronkelijke_write_usage(self, prog, args, "Gebruik: " if prefix is None else prefix)


def _usage(self: Any, ctx: Any) -> str:
    tekst = str(_oorspronkelijke_usage(self, ctx))
    return tekst.replace("[OPTIONS]", "[OPTIES]").replace("COMMAND [ARGS]...", "OPDRACHT [ARGUMENTEN]...")


def _help_option(self: Any, ctx: Any) -> Any:
    optie = _oorspronkelijke_help_option(self, ctx)
    if optie is not None:
        optie.help = HULP
    return optie


def installeer() -> None:
    """Switch typer's texts to Dutch (idempotent; called once when the CLI is imported)."""
    for naam, tekst in _CONSTANTEN.items():
        setattr(rich_utils, naam, tekst)
    rich_utils.OptionHighlighter.highlights = [
        h.replace("(?P<usage>Usage: )", "(?P<usage>Gebruik: )") for h in rich_utils.OptionHighlighter.highlights
    ]
    formatting.HelpFormatter.write_usage = _write_usage  # type: ignore[method-assign]
    core.Command.get_help_option = _help_option  # type: ignore[method-assign]
    core.Command.get_usage = _usage  # type: ignore[method-assign]
    exceptions.MissingParameter.format_message = _ontbreekt  # type: ignore[method-assign]
    exceptions.BadParameter.format_message = _ongeldig  # type: ignore[method-assign]
    exceptions.NoSuchOption.format_message = _geen_optie  # type: ignore[method-assign]
    exceptions.UsageError.format_message = _gebruik  # type: ignore[method-assign]

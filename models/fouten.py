"""Domain errors.

Every error a coordinator can cause names the field and the reason, so that the CLI can print it and exit 1
without a traceback. Messages never contain personal data: they name fields, references and keys only.
"""

from __future__ import annotations


class DomeinFout(Exception):
    """A request the domain refuses (exit code 1). Safe to show and to log: no personal data."""

    def __init__(self, melding: str, *, veld: str | None = None) -> None:
        self.melding = melding
        self.veld = veld
        super().__init__(f"{veld}: {melding}" if veld else melding)


class InvoerFout(DomeinFout):
    """Invalid input: one or more fields are wrong. Nothing was written."""

    def __init__(self, fouten: list[tuple[str, str]]) -> None:
        self.fouten = fouten
        tekst = "; ".join(f"{veld}: {reden}" for veld, reden in fouten)
        super().__init__(tekst, veld=fouten[0][0] if len(fouten) == 1 else None)

    def __str__(self) -> str:
        return "; ".join(f"{veld}: {reden}" for veld, reden in self.fouten)


class NietGevonden(DomeinFout):
    """A reference (case, step, decision, handoff) does not exist."""


class Conflict(DomeinFout):
    """Someone else changed the same thing first (version check); reload and decide again."""


class PrefectNietBereikbaar(DomeinFout):
    """The request is stored, but Prefect did not answer: the transition follows later, by recovery."""

    def __init__(self, referentie: str) -> None:
        self.referentie = referentie
        super().__init__(
            f"Vastgelegd als {referentie}; Prefect is niet bereikbaar, de overgang volgt zodra Prefect terug is"
        )


class DefinitieFout(Exception):
    """A broken werkproces definition: names the file, the path inside it and the problem."""

    def __init__(self, bron: str, problemen: list[tuple[str, str]]) -> None:
        self.bron = bron
        self.problemen = problemen
        regels = "\n".join(f"  {pad}: {probleem}" for pad, probleem in problemen)
        super().__init__(f"werkproces-definitie {bron} is ongeldig:\n{regels}")


#: Dutch wording for pydantic's error types, so coordinators read Dutch; unknown types keep pydantic's text.
_REDENEN = {
    "missing": "ontbreekt",
    "extra_forbidden": "onbekend veld",
    "string_too_short": "is te kort of leeg",
    "string_too_long": "is te lang",
    "too_short": "heeft te weinig elementen",
    "too_long": "heeft te veel elementen",
    "date_parsing": "geen geldige datum (JJJJ-MM-DD)",
    "date_from_datetime_parsing": "geen geldige datum (JJJJ-MM-DD)",
    "date_type": "geen geldige datum (JJJJ-MM-DD)",
    "int_parsing": "geen geheel getal",
    "int_type": "geen geheel getal",
    "bool_parsing": "geen ja/nee-waarde",
    "string_type": "moet tekst zijn",
    "model_type": "moet een object zijn",
    "model_attributes_type": "moet een object zijn",
    "dict_type": "moet een object zijn",
    "list_type": "moet een lijst zijn",
    "greater_than_equal": "is te klein",
    "less_than_equal": "is te groot",
    "string_pattern_mismatch": "heeft niet de juiste vorm",
}


def invoerfout_uit(exc: object) -> InvoerFout:
    """A pydantic ValidationError as an InvoerFout: field paths and Dutch reasons, never the input values."""
    from pydantic import ValidationError

    assert isinstance(exc, ValidationError)
    fouten: list[tuple[str, str]] = []
    for e in exc.errors(include_input=False, include_url=False, include_context=True):
        pad = ".".join(str(d) for d in e["loc"]) or "(document)"
        if e["type"] == "invoer":  # our own validators' Dutch reasons (PydanticCustomError), never values
            reden = str(e["msg"])
        elif e["type"] == "value_error":
            # Library validators (e-mail, …) may quote the input in their message: give a fixed reason.
            reden = "geen geldig e-mailadres" if str(e["loc"][-1]) == "email" else "ongeldige waarde"
        elif e["type"] == "enum":
            reden = f"kies uit: {e.get('ctx', {}).get('expected', '')}".strip()
        else:
            reden = _REDENEN.get(e["type"], str(e["msg"]))
        fouten.append((pad, reden))
    return InvoerFout(fouten)

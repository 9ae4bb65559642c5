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


class DefinitieFout(Exception):
    """A broken werkproces definition: names the file, the path inside it and the problem."""

    def __init__(self, bron: str, problemen: list[tuple[str, str]]) -> None:
        self.bron = bron
        self.problemen = problemen
        regels = "\n".join(f"  {pad}: {probleem}" for pad, probleem in problemen)
        super().__init__(f"werkproces-definitie {bron} is ongeldig:\n{regels}")

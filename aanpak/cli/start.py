"""The ``aanpak`` console script: decide, before anything heavy is imported, which CLI runs.

With ``AANPAK_API_URL`` set, the coordinators' commands run as a client of the aanpak server
(``aanpak.klant``: httpx only — no Prefect, no SQLAlchemy, no case store), acting as the token says. Operator
commands of the server host (``db``, ``sleutels``, ``server``, ``token``, ``herstel``, ``bewaking``,
``meldingen``, ``toegang``, ``bewaring uitvoeren``, ``audit toon``) always run locally, as does every command
without ``AANPAK_API_URL``. ``login``/``logout`` only store or remove a token and always run in client mode.
"""

from __future__ import annotations

import os
import sys

#: Top-level commands that stay on the server host (they need the store, the keys or Prefect).
OPERATOR = frozenset({"db", "sleutels", "server", "token", "herstel", "bewaking", "meldingen", "toegang"})
#: Subcommands that stay local although their group has client commands: they have no API endpoint.
OPERATOR_SUB = frozenset({("bewaring", "uitvoeren"), ("audit", "toon")})
ALTIJD_KLANT = frozenset({"login", "logout"})
#: Who acts comes from the token in client mode; these flags would name someone else.
ACTORVLAGGEN = ("--als", "--door", "--organisatie")


def _opdracht(argv: list[str]) -> tuple[str | None, str | None]:
    woorden = [a for a in argv if not a.startswith("-")]
    return (woorden[0] if woorden else None, woorden[1] if len(woorden) > 1 else None)


def klantmodus(argv: list[str]) -> bool:
    opdracht, sub = _opdracht(argv)
    if opdracht in ALTIJD_KLANT:
        return True
    if not os.environ.get("AANPAK_API_URL", "").strip():
        return False
    return opdracht not in OPERATOR and (opdracht, sub) not in OPERATOR_SUB


def actorvlag(argv: list[str]) -> str | None:
    for arg in argv:
        if arg == "--":
            return None
        naam = arg.split("=", 1)[0]
        if naam in ACTORVLAGGEN:
            return naam
    return None


def main() -> None:
    argv = sys.argv[1:]
    if not klantmodus(argv):
        from aanpak.cli.main import app

        app()
        return
    if (vlag := actorvlag(argv)) is not None:
        sys.stderr.write(
            f"Fout: {vlag} kan niet in clientmodus (AANPAK_API_URL): wie u bent en voor welke organisatie u "
            "handelt, komt alleen uit uw token (aanpak login of AANPAK_TOKEN). Kies een rol uit uw token met "
            "--rol.\n"
        )
        raise SystemExit(2)
    from aanpak.klant.app import app as klant

    klant()


if __name__ == "__main__":
    main()

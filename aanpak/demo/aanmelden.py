"""``python -m aanpak.demo.aanmelden``: the fictitious logins for a newcomer, printed after ``make demo``.

The people and partner systems of the development issuer (``aanpak/definities/ontwikkelpersonen.yaml``) with
their organisation and roles, and how to get a token for one. Reads only that file: no token is made here.
"""

from __future__ import annotations

from rich.table import Table

from aanpak.cli.weergave import console
from aanpak.toegang.ontwikkeluitgever import laad_personen


def toon() -> None:
    personen = laad_personen()
    tabel = Table(title="Fictieve personen van de ontwikkeluitgever (aanpak/definities/ontwikkelpersonen.yaml)")
    for kolom in ("Gebruikersnaam", "Organisatie", "Rol(len)"):
        tabel.add_column(kolom)
    for p in personen.personen:
        tabel.add_row(p.handle, p.organisatie, ", ".join(p.rollen))
    for s in personen.systemen:
        tabel.add_row(f"{s.client_id} (systeem)", s.organisatie, s.rol)
    console.print(tabel)
    console.print(
        "In de browser: open de webapp (adres hierboven), kies [bold]Inloggen[/] en daarna een persoon uit de "
        "tabel, bv. a.mentor (school De Wissel) om een signaal te melden."
    )
    console.print(
        "Een token (kortlevend, alleen voor deze laptop): [bold].venv/bin/aanpak token <gebruikersnaam>[/], "
        "bv. [bold].venv/bin/aanpak token b.baken[/]; een persoon met meer rollen kiest er een met --rol "
        "en noemt die per verzoek in de header X-Aanpak-Rol."
    )
    console.print("Stoppen: [bold]make down[/]")


if __name__ == "__main__":
    toon()

"""What the demo prints besides the story: the timeline (from the API) and what each partner received.

The timeline is the answer of ``GET /casussen/{ref}/tijdlijn``; the notifications are read on the server's side
(the demo is also the server host): the case's outbox and the local mailbox's files, one folder per
organisation and role.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from rich.table import Table
from sqlalchemy import select

from aanpak.cli.weergave import console
from aanpak.meldingen import kanalen as kanaalconfig
from aanpak.meldingen.inhoud import kenmerk_van
from aanpak.meldingen.instellingen import beleid as meldingbeleid
from aanpak.meldingen.instellingen import meldinginstellingen
from aanpak.omgeving import Omgeving
from aanpak.store.schema import Bezorging, Casus, Melding
from aanpak.usecases import bezorging
from aanpak.usecases.inzicht import Tijdlijn
from models.meldingen import BezorgingStatus
from models.teksten import datum


def tijdlijn(tl: Tijdlijn) -> None:
    tabel = Table(title=f"Tijdlijn casus {tl.casus_ref} — {tl.status}, AVE {tl.ave}")
    for kolom in ("Stap", "Eigenaar", "Gestart", "Uiterlijk", "Afgerond", "Uitkomst"):
        tabel.add_column(kolom)
    for s in tl.stappen:
        tabel.add_row(
            s.naam,
            f"{s.eigenaar} @ {s.organisatie}" if s.organisatie else s.eigenaar,
            datum(s.gestart_op),
            datum(s.termijn_einde),
            datum(s.afgerond_op),
            s.uitkomst or s.status,
        )
    console.print()
    console.print(tabel)


def meldingen(omg: Omgeving, casus_ref: str, postvak: Path, andere_school: str) -> None:
    """What each partner actually received: the subject lines of the delivered messages, per role."""
    # The transition flows deliver as their last step; anything still due (e.g. without Prefect) goes now.
    bezorging.bezorg(omg, kanaalconfig.laad(meldinginstellingen().kanalen), meldingbeleid())
    per_rol: dict[str, list[str]] = defaultdict(list)
    niet_bezorgd = 0
    with omg.uow() as sessie:
        casus = sessie.scalars(select(Casus).where(Casus.ref == casus_ref)).one()
        rijen = sessie.execute(
            select(Melding, Bezorging)
            .join(Bezorging, Bezorging.melding_id == Melding.id, isouter=True)
            .where(Melding.casus_id == casus.id)
            .order_by(Melding.id, Bezorging.id)
        ).all()
    for m, b in rijen:
        if b is None or b.status != BezorgingStatus.VERZONDEN:
            niet_bezorgd += 1
            continue
        map_ = postvak / (m.ontvanger_organisatie or "") / m.ontvanger_rol
        wie = f"{m.ontvanger_rol} @ {m.ontvanger_organisatie}"
        bestanden = sorted(map_.glob(f"*-{kenmerk_van(m)}.txt"))
        if bestanden:
            onderwerp = bestanden[0].read_text(encoding="utf-8").split("\n", 1)[0].removeprefix("Onderwerp: ")
            per_rol[wie].append(onderwerp.removeprefix(f"[aanpak {casus_ref}] "))
        else:
            per_rol[wie].append(f"{m.soort} {m.stap_key or ''} (via {b.kanaal})")
    tabel = Table(title=f"Wat elke partner ontving over casus {casus_ref} (onderwerpregels)")
    tabel.add_column("Rol")
    tabel.add_column("Ontvangen")
    for rol, onderwerpen in sorted(per_rol.items()):
        tabel.add_row(rol, "\n".join(onderwerpen))
    console.print(tabel)
    console.print(
        f"De berichten zelf staan per organisatie en rol in [bold]{postvak}[/] (ingebouwd postvak, zonder "
        "AANPAK_KANALEN)."
    )
    andere = postvak / andere_school
    console.print(f"Map van {andere_school}: {'bestaat niet — niets ontvangen' if not andere.exists() else andere}")
    if niet_bezorgd:
        console.print(
            f"[yellow]{niet_bezorgd} melding(en) nog niet bezorgd[/] — zie: .venv/bin/aanpak meldingen status"
        )

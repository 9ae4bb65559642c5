"""The managers' view of one case, without personal data: what it waits for, tags and a step table.

Prefect shows this as the final state name of each transition run, as run tags and as a keyed artifact, so a
manager can follow every case in the Prefect UI without seeing who the child is.
"""

from __future__ import annotations

from pydantic import BaseModel

from aanpak.omgeving import Omgeving
from aanpak.usecases.inzicht import open_overdrachten_details, tijdlijn
from models.casus import ACTIEVE_STAPSTATUSSEN, CasusStatus
from models.teksten import datum


class Casusbeeld(BaseModel):
    casus_ref: str
    status: str
    ave: int
    casusregie: str | None
    wacht_op: str
    tags: list[str]
    artefact_sleutel: str
    beschrijving: str
    tabel: list[dict[str, str]]


def organisatie_van(rol: str | None) -> str:
    return (rol or "-").split(".", 1)[0]


def artefact_sleutel(casus_ref: str) -> str:
    """Prefect artifact keys allow lower-case letters, digits and dashes only."""
    return f"casus-{casus_ref.lower()}"


def casusbeeld(omg: Omgeving, casus_ref: str) -> Casusbeeld:
    tl = tijdlijn(omg, casus_ref)
    lopend = sorted((s for s in tl.stappen if s.status in ACTIEVE_STAPSTATUSSEN), key=lambda s: s.termijn_einde)
    overdrachten = open_overdrachten_details(omg, casus_ref)
    if tl.status == CasusStatus.GESLOTEN:
        wacht_op = "Gesloten"
    elif overdrachten:
        o = overdrachten[0]
        wacht_op = f"Wacht op overdracht {o.soort} — {organisatie_van(o.naar_rol)} — uiterlijk {datum(o.termijn_einde)}"
    elif lopend:
        eerst = lopend[0]
        wacht_op = f"Wacht op {eerst.stap} — {organisatie_van(eerst.eigenaar)} — uiterlijk {datum(eerst.termijn_einde)}"
        if len(lopend) > 1:
            wacht_op += f" (+{len(lopend) - 1})"
    else:
        wacht_op = "Wacht op besluit"
    tags = [f"casus:{tl.casus_ref}", f"ave:{tl.ave}", f"regie:{organisatie_van(tl.casusregie)}"]
    tags += [f"stap:{s.stap}" for s in lopend]
    if tl.status == CasusStatus.GESLOTEN:
        tags.append("status:gesloten")
    tabel = [
        {
            "stap": s.stap,
            "naam": s.naam,
            "eigenaar": s.eigenaar,
            "gestart": datum(s.gestart_op),
            "uiterlijk": datum(s.termijn_einde),
            "afgerond": datum(s.afgerond_op),
            "uitkomst": s.uitkomst or "",
            "status": s.status,
        }
        for s in tl.stappen
    ]
    beschrijving = (
        f"Casus {tl.casus_ref} — {tl.status}, AVE {tl.ave}, casusregie {tl.casusregie or '-'}, "
        f"procesregie {tl.procesregie or '-'} (werkproces {tl.werkproces}). {wacht_op}."
    )
    return Casusbeeld(
        casus_ref=tl.casus_ref,
        status=tl.status,
        ave=tl.ave,
        casusregie=tl.casusregie,
        wacht_op=wacht_op,
        tags=tags,
        artefact_sleutel=artefact_sleutel(tl.casus_ref),
        beschrijving=beschrijving,
        tabel=tabel,
    )

"""``POST /overdrachten/{ref}/accepteer``: accept the regie handed to your role (warme overdracht)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel

from aanpak.server import diensten
from aanpak.server.api.gedeeld import MELDING, REF_PATROON, Omg, Overgang, status_van
from aanpak.server.toegang import Ingelogd
from aanpak.usecases.overdracht import OverdrachtGeaccepteerd

router = APIRouter(tags=["overdrachten"])


class AcceptatieAntwoord(BaseModel):
    overdracht: OverdrachtGeaccepteerd
    overgang: Overgang
    melding: str


@router.post("/overdrachten/{overdracht_ref}/accepteer", response_model=AcceptatieAntwoord)
def accepteer(
    overdracht_ref: Annotated[str, Path(pattern=REF_PATROON)], actor: Ingelogd, omg: Omg, response: Response
) -> AcceptatieAntwoord:
    """Accepteer de regie die uw rol wordt overgedragen."""
    r = diensten.accepteer_overdracht(omg, actor, overdracht_ref)
    response.status_code = status_van(r.overgang)
    return AcceptatieAntwoord(overdracht=r.geaccepteerd, overgang=r.overgang, melding=MELDING[r.overgang])

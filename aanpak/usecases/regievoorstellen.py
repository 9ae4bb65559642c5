"""The regie proposal of the convenant's rules (since definition 2022.5), read from a case's signals."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from aanpak.store.schema import Casus, Signaal
from aanpak.usecases.casusopslag import regie_van
from models.organisaties import Organisatieregister
from models.regietekst import regievoorstel_tekst
from models.regievoorstel import Casuskenmerken, Voorgesteld, Voorstel, voorstel
from models.werkproces import Werkproces


def kenmerken_van(sessie: Session, casus: Casus) -> Casuskenmerken:
    """The non-personal facts the regie rules select on: every signal's categories and source type, the age
    band at the latest signal, and whether the case is acute."""
    rijen = sessie.execute(
        select(Signaal.categorieen, Signaal.leeftijdsgroep, Signaal.bron_organisatie)
        .where(Signaal.casus_id == casus.id)
        .order_by(Signaal.id)
    ).all()
    return Casuskenmerken(
        categorieen=frozenset(c for cats, _, _ in rijen for c in cats),
        leeftijdsgroep=rijen[-1][1] if rijen else None,
        bronnen=frozenset(b for _, _, b in rijen),
        acuut=casus.acuut,
    )


def regievoorstel_voor(
    sessie: Session, wp: Werkproces, register: Organisatieregister, casus: Casus, ave: int
) -> Voorstel:
    return voorstel(wp, register, ave, kenmerken_van(sessie, casus), regie_van(sessie, casus))


class Regievoorstel(BaseModel):
    """What the convenant's rules propose if the case enters phase ``ave`` (roles and register keys only)."""

    ave: int
    regel: str
    regel_naam: str
    casusregie: str | None
    casusregie_organisatie: str | None
    #: The organisations to choose from where the case does not make the organisation unambiguous.
    casusregie_opties: list[str] = []
    procesregie: str | None
    procesregie_organisatie: str | None
    procesregie_opties: list[str] = []

    def tekst(self) -> str:
        """One line a coordinator reads (Dutch)."""
        return regievoorstel_tekst(self.model_dump())


def _velden(v: Voorgesteld | None) -> tuple[str | None, str | None, list[str]]:
    return (v.rol, v.organisatie, list(v.opties)) if v else (None, None, [])


def als_regievoorstel(v: Voorstel) -> Regievoorstel:
    c_rol, c_org, c_opties = _velden(v.casusregie)
    p_rol, p_org, p_opties = _velden(v.procesregie)
    return Regievoorstel(
        ave=v.ave,
        regel=v.regel.key,
        regel_naam=v.regel.naam,
        casusregie=c_rol,
        casusregie_organisatie=c_org,
        casusregie_opties=c_opties,
        procesregie=p_rol,
        procesregie_organisatie=p_org,
        procesregie_opties=p_opties,
    )


def regievoorstellen(
    sessie: Session, wp: Werkproces, register: Organisatieregister, casus: Casus, stap_key: str
) -> list[Regievoorstel]:
    """For a step whose outcome sets the AVE phase: the proposal for each phase the decision may state (none
    for other steps, or under a definition without regie rules)."""
    if wp.regievoorstellen is None or not any(u.vraagt_ave for u in wp.stap(stap_key).uitkomsten):
        return []
    kenmerken = kenmerken_van(sessie, casus)
    regie = regie_van(sessie, casus)
    return [als_regievoorstel(voorstel(wp, register, f.niveau, kenmerken, regie)) for f in wp.ave_fasen]

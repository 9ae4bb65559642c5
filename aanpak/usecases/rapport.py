"""Accountability figures for managers ("elkaar aanspreken op resultaten"), read from the case store.

One read-only transaction. The queries select named, non-personal columns only: never a ``*_versleuteld``
column and never the ``jeugdige`` table. Roles are mapped to their organisation through each case's own
werkproces version, and lead times are counted in werkdagen with that version's calendar. The definitions of
every figure are in docs/rapportage.md.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.orm import Session

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Casus, Overdracht, Signaal, Signalering, StapInstantie
from models.casus import ACTIEVE_STAPSTATUSSEN, CasusStatus, OverdrachtStatus, StapStatus, kalender_voor
from models.fouten import InvoerFout
from models.kalender import AMSTERDAM, Werkdagkalender, lokale_datum
from models.rapport import Trendtabel, mediaan, onderdruk, percentage, percentiel
from models.werkproces import Werkproces

ONBEKEND = "onbekend"
#: The trend dimensions, each a table of months × values.
DIMENSIES = {
    "wijk": "Signalen per wijk",
    "leeftijdsgroep": "Signalen per leeftijdsgroep",
    "categorie": "Signalen per categorie",
    # Signals per month by source partner: suppressed like the others. An exact partner x category x month
    # table would undo the suppression of the category trend (and, filtered on a wijk, give exact wijk counts).
    "organisatie": "Signalen per bron (partner)",
}


class Filters(BaseModel):
    """The report's scope: a period of Amsterdam dates (both inclusive) and optionally one partner and wijk."""

    van: date
    tot: date
    organisatie: str | None = None
    wijk: str | None = None

    def begin(self) -> datetime:
        return datetime.combine(self.van, time.min, tzinfo=AMSTERDAM).astimezone(UTC)

    def einde(self) -> datetime:
        return datetime.combine(self.tot + timedelta(days=1), time.min, tzinfo=AMSTERDAM).astimezone(UTC)


def standaard_periode(vandaag: date, maanden: int = 12) -> tuple[date, date]:
    """The last ``maanden`` calendar months including the current one, up to and including today."""
    index = vandaag.year * 12 + vandaag.month - 1 - (maanden - 1)
    return date(index // 12, index % 12 + 1, 1), vandaag


class StapPrestatie(BaseModel):
    """How one partner keeps the terms of one step."""

    organisatie: str
    stap: str
    stapnaam: str
    op_tijd: int
    te_laat: int
    pct_op_tijd: float | None
    mediaan_werkdagen: float | None
    p90_werkdagen: int | None
    open_nu: int
    te_laat_nu: int
    #: Escalation level → number of steps that reached it in the period.
    escalaties: dict[int, int] = Field(default_factory=dict)


class OrganisatiePrestatie(BaseModel):
    organisatie: str
    naam: str
    op_tijd: int
    te_laat: int
    pct_op_tijd: float | None
    open_nu: int
    te_laat_nu: int


class OverdrachtPrestatie(BaseModel):
    """Warme overdracht per receiving partner: how fast it accepts regie."""

    organisatie: str
    aangeboden: int
    geaccepteerd: int
    op_tijd: int
    te_laat: int
    pct_op_tijd: float | None
    mediaan_werkdagen: float | None
    p90_werkdagen: int | None
    open_nu: int
    te_laat_nu: int
    escalaties: dict[int, int] = Field(default_factory=dict)


class StapOpen(BaseModel):
    stap: str
    stapnaam: str
    open: int
    te_laat: int


class AveOpen(BaseModel):
    niveau: int
    naam: str
    open: int


class Rapport(BaseModel):
    """Aggregates only: organisations, steps, phases, months and (suppressed) counts. Safe for Prefect."""

    gemaakt_op: datetime
    filters: Filters
    werkproces: str
    organisatienamen: dict[str, str]
    #: The werkproces as a graph, for the diagram: its first step and each step's possible next steps.
    intake: str
    volgende: dict[str, list[str]]
    prestaties: list[StapPrestatie]
    organisaties: list[OrganisatiePrestatie]
    overdrachten: list[OverdrachtPrestatie]
    open_per_stap: list[StapOpen]
    open_per_ave: list[AveOpen]
    trends: list[Trendtabel]


@dataclass
class _Versies:
    """Each case's own definition and calendar, loaded once per werkproces version."""

    omg: Omgeving
    sessie: Session
    cache: dict[int, tuple[Werkproces, Werkdagkalender]]

    def __call__(self, werkproces_id: int) -> tuple[Werkproces, Werkdagkalender]:
        if werkproces_id not in self.cache:
            wp = self.omg.werkprocessen.van(self.sessie, werkproces_id)
            self.cache[werkproces_id] = (wp, kalender_voor(wp))
        return self.cache[werkproces_id]

    def organisatie(self, werkproces_id: int, rol: str | None) -> str:
        wp, _ = self(werkproces_id)
        return wp.rol(rol).organisatie if rol and wp.heeft_rol(rol) else ONBEKEND


def maand(moment: datetime) -> str:
    d = lokale_datum(moment)
    return f"{d.year:04d}-{d.month:02d}"


def maanden(van: date, tot: date) -> list[str]:
    uit = []
    index = van.year * 12 + van.month - 1
    while index <= tot.year * 12 + tot.month - 1:
        uit.append(f"{index // 12:04d}-{index % 12 + 1:02d}")
        index += 1
    return uit


def _werkdagen(kal: Werkdagkalender, van: datetime, tot: datetime) -> int:
    """Werkdagen after the start day up to and including the end day, as the Atw counts a term."""
    return max(0, kal.werkdagen_tussen(lokale_datum(van), lokale_datum(tot)))


def _in_wijk(filters: Filters) -> list[ColumnElement[bool]]:
    if filters.wijk is None:
        return []
    return [Casus.id.in_(select(Signaal.casus_id).where(Signaal.wijk == filters.wijk, Signaal.casus_id.is_not(None)))]


def _controleer(wp: Werkproces, filters: Filters) -> None:
    fouten: list[tuple[str, str]] = []
    if filters.tot < filters.van:
        fouten.append(("tot", "ligt voor het begin van de periode"))
    if filters.organisatie is not None and filters.organisatie not in {o.key for o in wp.organisaties}:
        fouten.append(("organisatie", "onbekende organisatie"))
    if fouten:
        raise InvoerFout(fouten)


def maak_rapport(omg: Omgeving, filters: Filters) -> Rapport:
    """All figures of the managers' report for ``filters``, as of ``omg.nu()``."""
    nu = omg.nu()
    with omg.uow() as sessie:
        _, wp = omg.werkprocessen.actueel(sessie, nu)
        _controleer(wp, filters)
        versies = _Versies(omg, sessie, {})
        namen = {o.key: o.naam for o in wp.organisaties}
        stapnamen = {s.key: s.naam for s in wp.stappen}
        prestaties = _prestaties(sessie, versies, filters, nu, wp.intake.stap)
        rapport = Rapport(
            gemaakt_op=nu,
            filters=filters,
            werkproces=f"{wp.key} {wp.versie}",
            organisatienamen=namen,
            intake=wp.intake.stap,
            volgende={s.key: list(dict.fromkeys(k for u in s.uitkomsten for k in u.volgende)) for s in wp.stappen},
            prestaties=[p.model_copy(update={"stapnaam": stapnamen.get(p.stap, p.stap)}) for p in prestaties],
            organisaties=_per_organisatie(prestaties, namen),
            overdrachten=_overdrachten(sessie, versies, filters, nu),
            open_per_stap=_open_per_stap(prestaties, stapnamen, wp),
            open_per_ave=_open_per_ave(sessie, filters, wp),
            trends=[],
        )
        signalen = _signalen(sessie, filters)
    rapport.trends = _trends(signalen, filters)
    return rapport


# -- steps -----------------------------------------------------------------------------------------------------


def _prestaties(sessie: Session, versies: _Versies, filters: Filters, nu: datetime, intake: str) -> list[StapPrestatie]:
    begin, einde = filters.begin(), filters.einde()
    doorloop: dict[tuple[str, str], list[int]] = defaultdict(list)
    op_tijd: Counter[tuple[str, str]] = Counter()
    te_laat: Counter[tuple[str, str]] = Counter()
    open_nu: Counter[tuple[str, str]] = Counter()
    laat_nu: Counter[tuple[str, str]] = Counter()
    escalaties: dict[tuple[str, str], Counter[int]] = defaultdict(Counter)

    # The intake step is completed in the same moment it starts: it says nothing about keeping terms.
    afgerond = sessie.execute(
        select(
            Casus.werkproces_id,
            StapInstantie.stap_key,
            StapInstantie.eigenaar_rol,
            StapInstantie.gestart_op,
            StapInstantie.termijn_einde,
            StapInstantie.afgerond_op,
        )
        .join(Casus, Casus.id == StapInstantie.casus_id)
        .where(
            StapInstantie.status == StapStatus.AFGEROND,
            StapInstantie.stap_key != intake,
            StapInstantie.afgerond_op >= begin,
            StapInstantie.afgerond_op < einde,
            *_in_wijk(filters),
        )
    ).all()
    for wp_id, stap, rol, gestart, termijn, klaar in afgerond:
        assert klaar is not None
        sleutel = (versies.organisatie(wp_id, rol), stap)
        (op_tijd if klaar <= termijn else te_laat)[sleutel] += 1
        doorloop[sleutel].append(_werkdagen(versies(wp_id)[1], gestart, klaar))

    # Open now: every active step of an open case. Late now: open (not suspended, not decided) and past due.
    lopend = sessie.execute(
        select(
            Casus.werkproces_id,
            StapInstantie.stap_key,
            StapInstantie.eigenaar_rol,
            StapInstantie.status,
            StapInstantie.termijn_einde,
        )
        .join(Casus, Casus.id == StapInstantie.casus_id)
        .where(
            StapInstantie.status.in_(list(ACTIEVE_STAPSTATUSSEN)),
            Casus.status == CasusStatus.OPEN,
            *_in_wijk(filters),
        )
    ).all()
    for wp_id, stap, rol, status, termijn in lopend:
        sleutel = (versies.organisatie(wp_id, rol), stap)
        open_nu[sleutel] += 1
        if status == StapStatus.OPEN and termijn < nu:
            laat_nu[sleutel] += 1

    # One escalation level of one step counts once, however many roles it went to.
    for wp_id, _stap_id, stap, rol, niveau in sessie.execute(
        _escalaties(filters)
        .add_columns(Signalering.stap_id, StapInstantie.stap_key, Signalering.eigenaar_rol, Signalering.niveau)
        .join(StapInstantie, StapInstantie.id == Signalering.stap_id)
        .distinct()
    ).all():
        escalaties[(versies.organisatie(wp_id, rol), stap)][niveau] += 1

    sleutels = set(op_tijd) | set(te_laat) | set(open_nu) | set(escalaties)
    if filters.organisatie is not None:
        sleutels = {s for s in sleutels if s[0] == filters.organisatie}
    return [
        StapPrestatie(
            organisatie=org,
            stap=stap,
            stapnaam=stap,
            op_tijd=op_tijd[(org, stap)],
            te_laat=te_laat[(org, stap)],
            pct_op_tijd=percentage(op_tijd[(org, stap)], op_tijd[(org, stap)] + te_laat[(org, stap)]),
            mediaan_werkdagen=mediaan(doorloop[(org, stap)]),
            p90_werkdagen=percentiel(doorloop[(org, stap)], 90),
            open_nu=open_nu[(org, stap)],
            te_laat_nu=laat_nu[(org, stap)],
            escalaties=dict(sorted(escalaties[(org, stap)].items())),
        )
        for org, stap in sorted(sleutels)
    ]


def _escalaties(filters: Filters) -> Select[int]:
    """Escalation signals in the period, with the case's definition version; the caller adds what it groups on."""
    return (
        select(Casus.werkproces_id)
        .select_from(Signalering)
        .join(Casus, Casus.id == Signalering.casus_id)
        .where(
            Signalering.soort == "escalatie",
            Signalering.moment >= filters.begin(),
            Signalering.moment < filters.einde(),
            *_in_wijk(filters),
        )
    )


def _per_organisatie(prestaties: Iterable[StapPrestatie], namen: dict[str, str]) -> list[OrganisatiePrestatie]:
    totaal: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for p in prestaties:
        t = totaal[p.organisatie]
        t[0] += p.op_tijd
        t[1] += p.te_laat
        t[2] += p.open_nu
        t[3] += p.te_laat_nu
    return [
        OrganisatiePrestatie(
            organisatie=org,
            naam=namen.get(org, org),
            op_tijd=t[0],
            te_laat=t[1],
            pct_op_tijd=percentage(t[0], t[0] + t[1]),
            open_nu=t[2],
            te_laat_nu=t[3],
        )
        for org, t in sorted(totaal.items())
    ]


def _open_per_stap(prestaties: Iterable[StapPrestatie], stapnamen: dict[str, str], wp: Werkproces) -> list[StapOpen]:
    """Open and overdue steps per step of the werkproces (every step listed, in definition order)."""
    open_: Counter[str] = Counter()
    laat: Counter[str] = Counter()
    for p in prestaties:
        open_[p.stap] += p.open_nu
        laat[p.stap] += p.te_laat_nu
    volgorde = [s.key for s in wp.stappen] + sorted(set(open_) - {s.key for s in wp.stappen})
    return [StapOpen(stap=k, stapnaam=stapnamen.get(k, k), open=open_[k], te_laat=laat[k]) for k in volgorde]


def _open_per_ave(sessie: Session, filters: Filters, wp: Werkproces) -> list[AveOpen]:
    aantallen = Counter(
        sessie.scalars(select(Casus.ave_niveau).where(Casus.status == CasusStatus.OPEN, *_in_wijk(filters))).all()
    )
    return [AveOpen(niveau=f.niveau, naam=f.naam, open=aantallen[f.niveau]) for f in wp.ave_fasen]


# -- handoffs ----------------------------------------------------------------------------------------------


def _overdrachten(sessie: Session, versies: _Versies, filters: Filters, nu: datetime) -> list[OverdrachtPrestatie]:
    begin, einde = filters.begin(), filters.einde()
    aangeboden: Counter[str] = Counter()
    geaccepteerd: Counter[str] = Counter()
    op_tijd: Counter[str] = Counter()
    te_laat: Counter[str] = Counter()
    doorloop: dict[str, list[int]] = defaultdict(list)
    open_nu: Counter[str] = Counter()
    laat_nu: Counter[str] = Counter()
    escalaties: dict[str, Counter[int]] = defaultdict(Counter)
    rijen = sessie.execute(
        select(
            Casus.werkproces_id,
            Overdracht.naar_rol,
            Overdracht.status,
            Overdracht.aangeboden_op,
            Overdracht.termijn_einde,
            Overdracht.beantwoord_op,
        )
        .join(Casus, Casus.id == Overdracht.casus_id)
        .where(*_in_wijk(filters))
    ).all()
    for wp_id, rol, status, aangeboden_op, termijn, beantwoord in rijen:
        org = versies.organisatie(wp_id, rol)
        if begin <= aangeboden_op < einde:
            aangeboden[org] += 1
        if status == OverdrachtStatus.GEACCEPTEERD and beantwoord is not None and begin <= beantwoord < einde:
            geaccepteerd[org] += 1
            (op_tijd if beantwoord <= termijn else te_laat)[org] += 1
            doorloop[org].append(_werkdagen(versies(wp_id)[1], aangeboden_op, beantwoord))
        if status == OverdrachtStatus.AANGEBODEN:
            open_nu[org] += 1
            if termijn < nu:
                laat_nu[org] += 1
    for wp_id, _overdracht_id, rol, niveau in sessie.execute(
        _escalaties(filters)
        .add_columns(Signalering.overdracht_id, Signalering.eigenaar_rol, Signalering.niveau)
        .where(Signalering.overdracht_id.is_not(None))
        .distinct()
    ).all():
        escalaties[versies.organisatie(wp_id, rol)][niveau] += 1
    orgs = set(aangeboden) | set(geaccepteerd) | set(open_nu) | set(escalaties)
    if filters.organisatie is not None:
        orgs &= {filters.organisatie}
    return [
        OverdrachtPrestatie(
            organisatie=org,
            aangeboden=aangeboden[org],
            geaccepteerd=geaccepteerd[org],
            op_tijd=op_tijd[org],
            te_laat=te_laat[org],
            pct_op_tijd=percentage(op_tijd[org], op_tijd[org] + te_laat[org]),
            mediaan_werkdagen=mediaan(doorloop[org]),
            p90_werkdagen=percentiel(doorloop[org], 90),
            open_nu=open_nu[org],
            te_laat_nu=laat_nu[org],
            escalaties=dict(sorted(escalaties[org].items())),
        )
        for org in sorted(orgs)
    ]


# -- signals and trends -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Signaalregel:
    maand: str
    organisatie: str
    categorieen: tuple[str, ...]
    leeftijdsgroep: str
    wijk: str


def _signalen(sessie: Session, filters: Filters) -> list[_Signaalregel]:
    voorwaarden = [Signaal.ontvangen_op >= filters.begin(), Signaal.ontvangen_op < filters.einde()]
    if filters.organisatie is not None:
        voorwaarden.append(Signaal.bron_organisatie == filters.organisatie)
    if filters.wijk is not None:
        voorwaarden.append(Signaal.wijk == filters.wijk)
    rijen = sessie.execute(
        select(
            Signaal.ontvangen_op, Signaal.bron_organisatie, Signaal.categorieen, Signaal.leeftijdsgroep, Signaal.wijk
        ).where(and_(*voorwaarden))
    ).all()
    return [
        _Signaalregel(maand(ontvangen), org, tuple(categorieen), groep, wijk or ONBEKEND)
        for ontvangen, org, categorieen, groep, wijk in rijen
    ]


def _trends(signalen: list[_Signaalregel], filters: Filters) -> list[Trendtabel]:
    kolommen = maanden(filters.van, filters.tot)
    tabellen = []
    for dimensie, titel in DIMENSIES.items():
        tellingen: Counter[tuple[str, str]] = Counter()
        for s in signalen:
            waarden = s.categorieen if dimensie == "categorie" else (getattr(s, dimensie),)
            for w in waarden:
                tellingen[(w, s.maand)] += 1
        rijen = sorted({w for w, _ in tellingen}, key=_leeftijdsvolgorde if dimensie == "leeftijdsgroep" else str)
        tabellen.append(onderdruk(titel, dimensie, rijen, kolommen, tellingen))
    return tabellen


def _leeftijdsvolgorde(groep: str) -> tuple[int, str]:
    """Age bands by their first year (0-3, 4-11, 12-15, 16-17, 18+), not as text; anything else last."""
    begin = groep.split("-", 1)[0].rstrip("+")
    return (int(begin), groep) if begin.isdigit() else (10_000, groep)


def is_werkdag(omg: Omgeving) -> bool:
    """Whether today (Amsterdam) is a werkdag of the definition in force: the scheduled run skips other days."""
    nu = omg.nu()
    with omg.uow() as sessie:
        _, wp = omg.werkprocessen.actueel(sessie, nu)
    return kalender_voor(wp).is_werkdag(lokale_datum(nu))

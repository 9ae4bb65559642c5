"""The managers' report on a generated case store of 1,000 cases with planted, known answers.

The data set is written through the real store mappings (``aanpak.store.schema``) on SQLite and PostgreSQL. Lead
times are planted in werkdagen with the werkproces calendar, so medians, p90s and on-time shares are known by
construction (e.g. school's ``interne_weging``: lead times 1..20 each 25 times, term 10 werkdagen → 250 on
time, 250 late, median 10.5, p90 18). Counts of signals are recounted here from the plan, independently of the
report's code. Suppression is checked cell by cell and by a brute-force reader who tries to recover a cell.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest

from aanpak.omgeving import Omgeving
from aanpak.store.schema import Casus, Jeugdige, Overdracht, Signaal, Signalering, StapInstantie
from aanpak.usecases.rapport import Filters, Rapport, maak_rapport, maand, standaard_periode
from models.casus import kalender_voor
from models.fouten import InvoerFout
from models.kalender import AMSTERDAM, Werkdagkalender, einde_van_dag
from models.rapport import GEHEIM, KLEIN, Trendtabel, mediaan, onderdruk, percentage, percentiel
from tests.conftest import Klok

N = 1000
PERIODE = Filters(van=date(2026, 1, 1), tot=date(2026, 11, 30))
BRONNEN = [
    ("school.zorgcoordinator", "school"),
    ("jgz.jeugdverpleegkundige", "jgz"),
    ("kinderopvang.aandachtsfunctionaris", "kinderopvang"),
    ("politie.wijkagent", "politie"),
]
CATEGORIEEN = [["verzuim"], ["ontwikkeling"], ["verzuim", "veiligheid_thuis"]]
LEEFTIJDEN = ["0-3", "4-11", "12-15", "16-17", "18+"]
WIJKEN = ["blerick", "tegelen", "venlo-oost", "venlo-zuid"]


def moment(d: date, uur: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, uur, tzinfo=AMSTERDAM).astimezone(UTC)


@dataclass
class Plan:
    """What was planted, for recounting signals without the report's code."""

    signalen: list[tuple[datetime, str, list[str], str, str | None]] = field(default_factory=list)
    #: Explicit primary keys, so the whole data set goes in as a few batched INSERTs (one flush).
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    #: New rows; written table by table, parents first (the mappings declare no relationship()).
    rijen: list[object] = field(default_factory=list)


def wijk_van(i: int) -> str | None:
    if i % 50 == 49:
        return "arcen"  # a small wijk: every month below 5
    if i % 200 == 3:
        return None  # unknown wijk
    return WIJKEN[(i // 4) % 4]


def plant(omg: Omgeving, n: int = N) -> Plan:
    """Write ``n`` cases with signals, steps, handoffs and escalation signals straight through the mappings."""
    plan = Plan()
    nu = omg.nu()
    with omg.uow() as sessie:
        wp_id, wp = omg.werkprocessen.actueel(sessie, nu)
        kal = kalender_voor(wp)
        for i in range(n):
            _plant_casus(plan, i, wp_id, kal)
        for tabel in (Jeugdige, Casus, Signaal, StapInstantie, Overdracht, Signalering):
            sessie.add_all([r for r in plan.rijen if isinstance(r, tabel)])
            sessie.flush()
    return plan


def _plant_casus(plan: Plan, i: int, wp_id: int, kal: Werkdagkalender) -> None:
    open_ = i % 10 in (0, 5) or i % 100 in (7, 17)
    ave = 4 if i % 100 in (7, 17) else 3 if i % 10 == 5 else (1 if i % 40 == 0 else 2) if i % 10 == 0 else 1
    jeugdige = Jeugdige(
        id=i + 1, identiteit_versleuteld=b"-", bsn_hash=None, naam_hash=f"h{i}", aangemaakt_op=moment(date(2026, 1, 2))
    )
    plan.rijen.append(jeugdige)
    casus = Casus(
        id=i + 1,
        ref=f"C-T{i:07d}",
        jeugdige_id=jeugdige.id,
        werkproces_id=wp_id,
        status="open" if open_ else "gesloten",
        ave_niveau=ave,
        casusregie="school.zorgcoordinator",
        procesregie="gemeente.procesregisseur",
        bestuurlijk=None,
        acuut=False,
        geopend_op=moment(date(2026, 1, 2)),
        gesloten_op=None if open_ else moment(date(2026, 11, 27)),
    )
    plan.rijen.append(casus)

    bron_rol, bron_org = BRONNEN[i % 4]
    ontvangen = moment(date(2025, 12, 15)) if i % 100 == 1 else moment(date(2026, 1 + i % 11, 10))
    categorieen = CATEGORIEEN[i % 3]
    groep = LEEFTIJDEN[i % 5]
    wijk = wijk_van(i)
    plan.signalen.append((ontvangen, bron_org, categorieen, groep, wijk))
    plan.rijen.append(
        Signaal(
            ref=f"S-T{i:07d}",
            jeugdige_id=jeugdige.id,
            casus_id=casus.id,
            bron_rol=bron_rol,
            bron_organisatie=bron_org,
            categorieen=categorieen,
            acuut=False,
            leeftijdsgroep=groep,
            wijk=wijk,
            zorg_versleuteld=b"-",
            melder_versleuteld=b"-",
            ontvangen_op=ontvangen,
            verwerkt_op=ontvangen,
            gematcht_op=None,
        )
    )
    volgnummer = itertools.count(1)

    def stap(
        key: str, rol: str, status: str, gestart: datetime, termijn: datetime, klaar: datetime | None
    ) -> StapInstantie:
        s = StapInstantie(
            id=next(plan.ids),
            casus_id=casus.id,
            stap_key=key,
            volgnummer=next(volgnummer),
            status=status,
            eigenaar_rol=rol,
            acuut=False,
            gestart_op=gestart,
            termijn_einde=termijn,
            opgeschort_werkdagen=0,
            verlengd_met=0,
            afgerond_op=klaar,
            uitkomst="x" if klaar else None,
            escalatie_niveau=0,
        )
        plan.rijen.append(s)
        return s

    # The intake: completed the moment it starts (excluded from the figures).
    stap("signaal_registreren", bron_rol, "afgerond", ontvangen, ontvangen + timedelta(days=5), ontvangen)

    # interne_weging: school (even i, term 10) or JGZ (odd i, term 15); lead time 1..20 werkdagen.
    school = i % 2 == 0
    rol = "school.zorgcoordinator" if school else "jgz.jeugdverpleegkundige"
    termijn = 10 if school else 15
    doorloop = (i // 2) % 20 + 1
    start = kal.plus_werkdagen(date(2026, 1 + i % 10, 1), 1)
    weging = stap(
        "interne_weging",
        rol,
        "afgerond",
        moment(start, 9),
        einde_van_dag(kal.plus_werkdagen(start, termijn)),
        moment(kal.plus_werkdagen(start, doorloop), 15),
    )
    laat_dag = kal.plus_werkdagen(start, termijn + 1)
    if school:
        plan.rijen.append(_signalering(f"{i}:h", casus, weging, None, "herinnering", 0, rol, rol, moment(start, 8)))
        if doorloop >= 12:
            plan.rijen.append(_signalering(f"{i}:e1", casus, weging, None, "escalatie", 1, rol, rol, moment(laat_dag)))
        if doorloop >= 16:
            for naar in ("school.teamleider", "gemeente.procesregisseur"):
                plan.rijen.append(
                    _signalering(f"{i}:e2:{naar}", casus, weging, None, "escalatie", 2, naar, rol, moment(laat_dag))
                )
        if i == 998:  # before the period: not counted
            plan.rijen.append(
                _signalering(f"{i}:e3", casus, weging, None, "escalatie", 3, rol, rol, moment(date(2025, 12, 20)))
            )

    # Open work now (the clock stands at Tuesday 1 December 2026).
    begin = moment(date(2026, 11, 2))
    if i % 10 == 0:
        te_laat = i % 20 == 0
        stap(
            "casusoverleg",
            "gemeente.procesregisseur",
            "open",
            begin,
            einde_van_dag(date(2026, 11, 20) if te_laat else date(2026, 12, 10)),
            None,
        )
    if i % 10 == 5:
        te_laat = i % 20 == 15
        stap(
            "plan_van_aanpak",
            "wijkteam.casusregisseur",
            "open",
            begin,
            einde_van_dag(date(2026, 11, 20) if te_laat else date(2026, 12, 10)),
            None,
        )
    if i % 100 == 7:  # suspended: open, but its clock stands still
        stap("evaluatie", "wijkteam.casusregisseur", "opgeschort", begin, einde_van_dag(date(2026, 11, 20)), None)
    if i % 100 == 17:  # decided, waiting to be applied: open, not late
        stap(
            "uitvoering_monitoring",
            "wijkteam.casusregisseur",
            "besloten",
            begin,
            einde_van_dag(date(2026, 11, 20)),
            None,
        )
    if i % 100 == 37:  # lapsed when the case closed: in no figure
        stap("nazorg", "wijkteam.casusregisseur", "vervallen", begin, einde_van_dag(date(2026, 11, 20)), None)

    # Warme overdracht school → wijkteam for every fifth case.
    if i % 5 == 0:
        if i % 50 == 0:  # still waiting for acceptance; late when i % 100 == 0
            aangeboden_dag = date(2026, 11, 23) if i % 100 == 0 else date(2026, 11, 30)
            status, beantwoord = "aangeboden", None
        else:
            aangeboden_dag = kal.plus_werkdagen(date(2026, 1 + (i // 5) % 10, 1), 1)
            status, beantwoord = "geaccepteerd", moment(kal.plus_werkdagen(aangeboden_dag, (i // 5) % 10), 11)
        o = Overdracht(
            id=i + 1,
            ref=f"O-T{i:07d}",
            casus_id=casus.id,
            besluit_id=None,
            soort="casusregie",
            van_rol="school.zorgcoordinator",
            naar_rol="wijkteam.casusregisseur",
            status=status,
            aangeboden_op=moment(aangeboden_dag, 9),
            termijn_einde=einde_van_dag(kal.plus_werkdagen(aangeboden_dag, 3)),
            beantwoord_op=beantwoord,
            escalatie_niveau=0,
        )
        plan.rijen.append(o)
        m = (i // 5) % 10
        if status == "geaccepteerd":
            for niveau, vanaf in ((1, 5), (2, 8)):
                if m >= vanaf:
                    for naar in ("wijkteam.casusregisseur", "school.zorgcoordinator"):
                        plan.rijen.append(
                            _signalering(
                                f"{i}:o{niveau}:{naar}",
                                casus,
                                None,
                                o,
                                "escalatie",
                                niveau,
                                naar,
                                "wijkteam.casusregisseur",
                                moment(kal.plus_werkdagen(aangeboden_dag, 4)),
                            )
                        )


def _signalering(
    sleutel: str,
    casus: Casus,
    stap: StapInstantie | None,
    overdracht: Overdracht | None,
    soort: str,
    niveau: int,
    naar: str,
    eigenaar: str,
    op: datetime,
) -> Signalering:
    return Signalering(
        sleutel=sleutel,
        casus_id=casus.id,
        stap_id=stap.id if stap else None,
        overdracht_id=overdracht.id if overdracht else None,
        soort=soort,
        niveau=niveau,
        naar_rol=naar,
        eigenaar_rol=eigenaar,
        moment=op,
    )


# -- the reader who tries to recover a suppressed cell ----------------------------------------------------------


def _getal(tekst: str) -> int | None:
    return None if tekst in (KLEIN, GEHEIM) else int(tekst)


def _mogelijk(tekst: str, plafond: int) -> set[int]:
    if tekst == KLEIN:
        return {1, 2, 3, 4}
    if tekst == GEHEIM:
        return {0, *range(5, plafond + 1)}
    return {int(tekst)}


def herleidbaar(t: Trendtabel, totaal: int) -> list[str]:
    """Per row and column: suppressed items for which only one value fits the line (a reader's set arithmetic).

    A reader knows ``<5`` is 1–4 and ``x`` is 0 or at least 5; no count exceeds a published line total, or the
    grand total.
    """
    lijnen = [(rij, tot) for rij, tot in zip(t.cellen, t.rijtotalen, strict=True)]
    lijnen += [([r[j] for r in t.cellen], t.kolomtotalen[j]) for j in range(len(t.kolommen))]
    lijnen += [(t.kolomtotalen, t.totaal), (t.rijtotalen, t.totaal)]
    gevonden = []
    for termen, som in lijnen:
        plafond = _getal(som) if _getal(som) is not None else totaal
        assert plafond is not None
        items = [*termen, som]
        verborgen = [k for k, v in enumerate(items) if _getal(v) is None]
        bekend = sum(_getal(v) or 0 for v in termen)
        for doel in verborgen:
            # Sums the other hidden terms can make, then which values of the doel close the line.
            sommen = {bekend}
            for k in verborgen:
                if k != doel and k < len(termen):
                    sommen = {s + v for s in sommen for v in _mogelijk(items[k], plafond) if s + v <= totaal}
            if doel == len(termen):
                passend = sommen & _mogelijk(som, plafond)
            else:
                sommen_totaal = _mogelijk(som, plafond) if _getal(som) is None else {_getal(som)}
                passend = {v for v in _mogelijk(items[doel], plafond) if any(s + v in sommen_totaal for s in sommen)}
            if len(passend) <= 1:
                gevonden.append(f"{termen}|{som}: item {doel} = {passend}")
    return gevonden


# -- tests ------------------------------------------------------------------------------------------------------


def test_percentiles_and_shares() -> None:
    assert mediaan([]) is None
    assert percentiel([], 90) is None
    assert percentage(1, 0) is None
    assert mediaan([3, 1, 2]) == 2.0
    assert mediaan([4, 1, 2, 3]) == 2.5
    assert percentiel(list(range(1, 11)), 90) == 9
    assert percentiel(list(range(1, 11)), 91) == 10
    assert percentiel([7], 90) == 7
    assert percentiel([5, 1], 50) == 1
    assert percentage(1, 3) == 33.3
    with pytest.raises(ValueError, match="p must be"):
        percentiel([1], 0)


def test_small_cell_suppression_and_back_calculation() -> None:
    # One small cell: without secondary suppression the row total would give it away.
    t = onderdruk(
        "t",
        "wijk",
        ["a", "b"],
        ["1", "2", "3"],
        {("a", "1"): 3, ("a", "2"): 10, ("a", "3"): 12, ("b", "1"): 7, ("b", "2"): 8, ("b", "3"): 9},
    )
    assert t.cellen[0][0] == KLEIN
    assert t.rijtotalen == ["25", "24"]
    assert t.totaal == "49"
    assert sum(c == GEHEIM for rij in t.cellen for c in rij) >= 1
    assert herleidbaar(t, 49) == []
    # Five cells of 1 and a row total of 5: the total itself would say every cell is 1.
    t = onderdruk(
        "t",
        "wijk",
        ["a", "b"],
        [str(k) for k in range(5)],
        {**{("a", str(k)): 1 for k in range(5)}, ("b", "0"): 30, ("b", "1"): 40},
    )
    assert t.cellen[0] == [KLEIN] * 5
    assert t.rijtotalen[0] == GEHEIM
    assert herleidbaar(t, 75) == []
    # The reader is not blind: published totals next to a single "<5" give it away.
    zwak = Trendtabel(
        titel="t",
        dimensie="wijk",
        rijen=["a"],
        kolommen=["1", "2"],
        cellen=[[KLEIN, "10"]],
        rijtotalen=["13"],
        kolomtotalen=[KLEIN, "10"],
        totaal="13",
    )
    assert herleidbaar(zwak, 13)
    # Nothing small, nothing hidden; zeros stay zeros.
    t = onderdruk("t", "wijk", ["a"], ["1", "2"], {("a", "1"): 5})
    assert (t.cellen, t.rijtotalen, t.kolomtotalen, t.totaal) == ([["5", "0"]], ["5"], ["5", "0"], "5")


@pytest.fixture
def rapport(omg: Omgeving, klok: Klok) -> tuple[Rapport, Plan]:
    plan = plant(omg)
    return maak_rapport(omg, PERIODE), plan


def test_performance_per_partner_and_step(rapport: tuple[Rapport, Plan]) -> None:
    r, _ = rapport
    rijen = {(p.organisatie, p.stap): p for p in r.prestaties}
    assert set(rijen) == {
        ("school", "interne_weging"),
        ("jgz", "interne_weging"),
        ("gemeente", "casusoverleg"),
        ("wijkteam", "plan_van_aanpak"),
        ("wijkteam", "evaluatie"),
        ("wijkteam", "uitvoering_monitoring"),
    }
    school = rijen[("school", "interne_weging")]
    assert (school.op_tijd, school.te_laat, school.pct_op_tijd) == (250, 250, 50.0)
    assert (school.mediaan_werkdagen, school.p90_werkdagen) == (10.5, 18)
    assert (school.open_nu, school.te_laat_nu) == (0, 0)
    assert school.escalaties == {1: 225, 2: 125}  # level 2 went to two roles: counted once per step
    assert school.stapnaam != school.stap  # the step's name from the werkproces
    jgz = rijen[("jgz", "interne_weging")]
    assert (jgz.op_tijd, jgz.te_laat, jgz.pct_op_tijd, jgz.mediaan_werkdagen, jgz.p90_werkdagen) == (
        375,
        125,
        75.0,
        10.5,
        18,
    )
    assert jgz.escalaties == {}
    overleg = rijen[("gemeente", "casusoverleg")]
    assert (overleg.op_tijd, overleg.te_laat, overleg.pct_op_tijd, overleg.mediaan_werkdagen) == (0, 0, None, None)
    assert (overleg.open_nu, overleg.te_laat_nu) == (100, 50)
    assert (rijen[("wijkteam", "plan_van_aanpak")].open_nu, rijen[("wijkteam", "plan_van_aanpak")].te_laat_nu) == (
        100,
        50,
    )
    assert (rijen[("wijkteam", "evaluatie")].open_nu, rijen[("wijkteam", "evaluatie")].te_laat_nu) == (10, 0)
    monitoring = rijen[("wijkteam", "uitvoering_monitoring")]
    assert (monitoring.open_nu, monitoring.te_laat_nu) == (10, 0)

    per_org = {o.organisatie: (o.op_tijd, o.te_laat, o.pct_op_tijd, o.open_nu, o.te_laat_nu) for o in r.organisaties}
    assert per_org == {
        "school": (250, 250, 50.0, 0, 0),
        "jgz": (375, 125, 75.0, 0, 0),
        "gemeente": (0, 0, None, 100, 50),
        "wijkteam": (0, 0, None, 120, 50),
    }


def test_handoffs_open_work_and_ave(rapport: tuple[Rapport, Plan]) -> None:
    r, _ = rapport
    assert len(r.overdrachten) == 1
    o = r.overdrachten[0]
    assert (o.organisatie, o.aangeboden, o.geaccepteerd) == ("wijkteam", 200, 180)
    assert (o.op_tijd, o.te_laat, o.pct_op_tijd) == (60, 120, 33.3)
    assert (o.mediaan_werkdagen, o.p90_werkdagen) == (5.0, 9)
    assert (o.open_nu, o.te_laat_nu) == (20, 10)
    assert o.escalaties == {1: 100, 2: 40}

    open_per_stap = {s.stap: (s.open, s.te_laat) for s in r.open_per_stap if s.open}
    assert open_per_stap == {
        "casusoverleg": (100, 50),
        "plan_van_aanpak": (100, 50),
        "evaluatie": (10, 0),
        "uitvoering_monitoring": (10, 0),
    }
    assert len(r.open_per_stap) >= 10  # every step of the werkproces is listed, also with 0
    assert {a.niveau: a.open for a in r.open_per_ave} == {1: 25, 2: 75, 3: 100, 4: 20}


def test_signals_per_month_and_source_suppressed(rapport: tuple[Rapport, Plan]) -> None:
    """Signals per month by source partner: exact where shown, and nothing hidden can be recovered."""
    r, plan = rapport
    [bron] = [t for t in r.trends if t.dimensie == "organisatie"]
    echt = _telling(plan, "organisatie")
    assert bron.rijen == sorted({v for v, _ in echt})
    for i, rij in enumerate(bron.rijen):
        for j, kolom in enumerate(bron.kolommen):
            n, getoond = echt[(rij, kolom)], bron.cellen[i][j]
            assert getoond == (KLEIN if 0 < n < 5 else getoond if getoond == GEHEIM else str(n)), (rij, kolom)
    assert bron.totaal == str(sum(echt.values())) == str(990)  # 10 signals lie before the period
    assert herleidbaar(bron, sum(echt.values())) == []


def _telling(plan: Plan, dimensie: str, wijk: str | None = None) -> Counter[tuple[str, str]]:
    begin, einde = PERIODE.begin(), PERIODE.einde()
    uit: Counter[tuple[str, str]] = Counter()
    for op, org, cats, groep, w in plan.signalen:
        if not begin <= op < einde or (wijk is not None and w != wijk):
            continue
        waarden = {"wijk": [w or "onbekend"], "leeftijdsgroep": [groep], "categorie": cats, "organisatie": [org]}[
            dimensie
        ]
        for v in waarden:
            uit[(v, maand(op))] += 1
    return uit


def test_trends_with_suppression(rapport: tuple[Rapport, Plan]) -> None:
    r, plan = rapport
    assert [t.dimensie for t in r.trends] == ["wijk", "leeftijdsgroep", "categorie", "organisatie"]
    for t in r.trends:
        echt = _telling(plan, t.dimensie)
        assert t.kolommen == [f"2026-{m:02d}" for m in range(1, 12)]
        verwacht = sorted({v for v, _ in echt})
        if t.dimensie == "leeftijdsgroep":  # age bands by age, not as text
            verwacht = [g for g in LEEFTIJDEN if g in verwacht]
        assert t.rijen == verwacht
        for i, rij in enumerate(t.rijen):
            for j, kolom in enumerate(t.kolommen):
                n, getoond = echt[(rij, kolom)], t.cellen[i][j]
                if 0 < n < 5:
                    assert getoond == KLEIN, (rij, kolom)
                elif getoond != GEHEIM:
                    assert getoond == str(n), (rij, kolom)
        totaal = sum(echt.values())
        assert t.totaal == str(totaal)
        assert herleidbaar(t, totaal) == [], t.dimensie
    wijk = r.trends[0]
    arcen = wijk.cellen[wijk.rijen.index("arcen")]
    assert set(arcen) <= {KLEIN, "0", GEHEIM}
    assert KLEIN in arcen
    onbekend = wijk.rijen.index("onbekend")
    assert wijk.cellen[onbekend].count(KLEIN) == 5
    assert wijk.rijtotalen[onbekend] == GEHEIM  # 5 cells of "<5" adding up to 5 would reveal each is 1
    # Leeftijdsgroep and categorie have no small cells: published in full.
    for t in r.trends[1:3]:
        assert all(c not in (KLEIN, GEHEIM) for rij in t.cellen for c in rij)
        assert [int(c) for c in t.kolomtotalen] == [
            sum(int(t.cellen[i][j]) for i in range(len(t.rijen))) for j in range(len(t.kolommen))
        ]


def test_filters_partner_and_wijk(omg: Omgeving) -> None:
    plan = plant(omg)
    r = maak_rapport(omg, PERIODE.model_copy(update={"organisatie": "school"}))
    assert {(p.organisatie, p.stap) for p in r.prestaties} == {("school", "interne_weging")}
    assert r.overdrachten == []
    assert [t.rijen for t in r.trends if t.dimensie == "organisatie"] == [["school"]]
    r = maak_rapport(omg, PERIODE.model_copy(update={"wijk": "arcen"}))
    # arcen: i = 49, 99, …, 999 (20 cases, all odd: JGZ's interne_weging; none open, none handed over).
    assert {(p.organisatie, p.stap): p.op_tijd + p.te_laat for p in r.prestaties} == {("jgz", "interne_weging"): 20}
    assert {a.niveau: a.open for a in r.open_per_ave} == {1: 0, 2: 0, 3: 0, 4: 0}
    wijk = r.trends[0]
    assert wijk.rijen == ["arcen"]
    assert sum(_telling(plan, "wijk", "arcen").values()) == 20
    assert herleidbaar(wijk, 20) == []
    with pytest.raises(InvoerFout):
        maak_rapport(omg, PERIODE.model_copy(update={"organisatie": "bestaat_niet"}))
    with pytest.raises(InvoerFout):
        maak_rapport(omg, Filters(van=date(2026, 2, 1), tot=date(2026, 1, 1)))


def test_default_period() -> None:
    assert standaard_periode(date(2026, 12, 1)) == (date(2026, 1, 1), date(2026, 12, 1))
    assert standaard_periode(date(2026, 3, 15), 6) == (date(2025, 10, 1), date(2026, 3, 15))

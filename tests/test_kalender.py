"""Werkdagen per the Algemene termijnenwet (models/kalender.py).

The holiday tests pin exact dates for 2025, 2026, 2027 and 2030 and prove each documented difference from
holidays.NL by asserting what holidays.NL itself says. The counting tests pin exact due dates around weekends,
Easter, Hemelvaart, Christmas and the turn of the year, and compare the fast arithmetic against a day-by-day
reference over several years.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import holidays
import pytest

from models.kalender import (
    AMSTERDAM,
    GELIJKGESTELDE_DAG,
    TermijnEenheid,
    Werkdagkalender,
    _paaszondag,
    einde_van_dag,
    lokale_datum,
)

KAL = Werkdagkalender()


def _nl(jaar: int) -> holidays.HolidayBase:
    return holidays.country_holidays("NL", years=jaar, language="nl")


def _ams(jaar: int, maand: int, dag: int, uur: int = 10, minuut: int = 0) -> datetime:
    return datetime(jaar, maand, dag, uur, minuut, tzinfo=AMSTERDAM)


def _eind(jaar: int, maand: int, dag: int) -> datetime:
    return datetime(jaar, maand, dag, 23, 59, 59, 999999, tzinfo=AMSTERDAM)


# Every non-working day per Atw art. 3 plus Goede Vrijdag, with its name, weekends included.
ATW: dict[int, dict[date, str]] = {
    2025: {
        date(2025, 1, 1): "Nieuwjaarsdag",
        date(2025, 4, 18): "Goede vrijdag",
        date(2025, 4, 21): "Tweede paasdag",
        date(2025, 4, 26): "Koningsdag",  # Saturday: 27 April 2025 is a Sunday
        date(2025, 5, 5): "Bevrijdingsdag",
        date(2025, 5, 29): "Hemelvaartsdag",
        date(2025, 6, 9): "Tweede pinksterdag",
        date(2025, 12, 25): "Eerste kerstdag",
        date(2025, 12, 26): "Tweede kerstdag",
    },
    2026: {
        date(2026, 1, 1): "Nieuwjaarsdag",
        date(2026, 4, 3): "Goede vrijdag",
        date(2026, 4, 6): "Tweede paasdag",
        date(2026, 4, 27): "Koningsdag",
        date(2026, 5, 5): "Bevrijdingsdag",
        date(2026, 5, 14): "Hemelvaartsdag",
        date(2026, 5, 25): "Tweede pinksterdag",
        date(2026, 12, 25): "Eerste kerstdag",
        date(2026, 12, 26): "Tweede kerstdag",
    },
    2027: {
        date(2027, 1, 1): "Nieuwjaarsdag",
        date(2027, 3, 26): "Goede vrijdag",
        date(2027, 3, 29): "Tweede paasdag",
        date(2027, 4, 27): "Koningsdag",
        date(2027, 5, 5): "Bevrijdingsdag",
        date(2027, 5, 6): "Hemelvaartsdag",
        date(2027, 5, 17): "Tweede pinksterdag",
        date(2027, 12, 25): "Eerste kerstdag",
        date(2027, 12, 26): "Tweede kerstdag",
    },
    2030: {
        date(2030, 1, 1): "Nieuwjaarsdag",
        date(2030, 4, 19): "Goede vrijdag",
        date(2030, 4, 22): "Tweede paasdag",
        date(2030, 4, 27): "Koningsdag",
        date(2030, 5, 5): "Bevrijdingsdag",
        date(2030, 5, 30): "Hemelvaartsdag",
        date(2030, 6, 10): "Tweede pinksterdag",
        date(2030, 12, 25): "Eerste kerstdag",
        date(2030, 12, 26): "Tweede kerstdag",
    },
}


def _dagen(jaar: int) -> list[date]:
    return [date(jaar, 1, 1) + timedelta(days=i) for i in range((date(jaar + 1, 1, 1) - date(jaar, 1, 1)).days)]


# --- what is a werkdag -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("dag", "naam"), [(d, n) for jaar in (2025, 2026, 2027, 2030) for d, n in ATW[jaar].items()])
def test_an_atw_feestdag_is_no_werkdag(dag: date, naam: str) -> None:
    assert KAL.is_werkdag(dag) is False
    assert KAL.feestdag(dag) == naam


@pytest.mark.parametrize("jaar", [2025, 2026, 2027, 2030])
def test_exactly_the_atw_days_are_off(jaar: int) -> None:
    """Nothing else is named, and every weekday that is not an Atw day is a werkdag."""
    assert {d: n for d in _dagen(jaar) if (n := KAL.feestdag(d)) is not None} == ATW[jaar]
    vrije_weekdagen = {d for d in _dagen(jaar) if d.weekday() < 5 and not KAL.is_werkdag(d)}
    assert vrije_weekdagen == {d for d in ATW[jaar] if d.weekday() < 5}


def test_number_of_werkdagen_per_year() -> None:
    # 2026 and 2027 both have 261 weekdays; 8 resp. 7 Atw days fall on a weekday.
    assert KAL.werkdagen_tussen(date(2025, 12, 31), date(2026, 12, 31)) == 253
    assert KAL.werkdagen_tussen(date(2026, 12, 31), date(2027, 12, 31)) == 254
    assert Werkdagkalender(goede_vrijdag=False).werkdagen_tussen(date(2025, 12, 31), date(2026, 12, 31)) == 254


@pytest.mark.parametrize("jaar", [2026, 2027])
def test_five_may_every_year_although_holidays_nl_has_it_in_lustrum_years_only(jaar: int) -> None:
    vijf_mei = date(jaar, 5, 5)
    assert vijf_mei not in _nl(jaar)  # the documented difference
    assert vijf_mei.weekday() < 5
    assert KAL.is_werkdag(vijf_mei) is False
    assert KAL.feestdag(vijf_mei) == "Bevrijdingsdag"


@pytest.mark.parametrize("jaar", [2025, 2030])
def test_five_may_in_a_lustrum_year_also_in_holidays_nl(jaar: int) -> None:
    assert _nl(jaar).get(date(jaar, 5, 5)) == "Bevrijdingsdag"
    assert KAL.feestdag(date(jaar, 5, 5)) == "Bevrijdingsdag"


def test_five_may_on_hemelvaartsdag_carries_both_names() -> None:
    assert _nl(2016).get(date(2016, 5, 5)) == "Hemelvaartsdag"
    assert KAL.feestdag(date(2016, 5, 5)) == "Hemelvaartsdag; Bevrijdingsdag"


@pytest.mark.parametrize(
    ("zondag", "naam_in_holidays"),
    [
        (date(2026, 4, 5), "Eerste paasdag"),
        (date(2026, 5, 24), "Eerste pinksterdag"),
        (date(2027, 3, 28), "Eerste paasdag"),
        (date(2027, 5, 16), "Eerste pinksterdag"),
    ],
)
def test_sundays_from_holidays_nl_are_no_atw_feestdag(zondag: date, naam_in_holidays: str) -> None:
    assert zondag.weekday() == 6
    assert _nl(zondag.year).get(zondag) == naam_in_holidays
    assert KAL.feestdag(zondag) is None
    assert KAL.is_werkdag(zondag) is False


def test_koningsdag_on_saturday_when_27_april_is_a_sunday() -> None:
    for zaterdag in (date(2014, 4, 26), date(2025, 4, 26), date(2031, 4, 26)):
        zondag = zaterdag + timedelta(days=1)
        assert (zaterdag.weekday(), zondag.weekday()) == (5, 6)
        assert KAL.feestdag(zaterdag) == "Koningsdag"
        assert KAL.feestdag(zondag) is None
        assert _nl(zaterdag.year).get(zaterdag) == "Koningsdag"
    assert KAL.feestdag(date(2026, 4, 26)) is None  # an ordinary Sunday
    assert KAL.is_werkdag(date(2025, 4, 28)) is True  # no Monday substitute


def test_koningsdag_of_holidays_nl_follows_the_atw_rule_2014_to_2100() -> None:
    for jaar in range(2014, 2101):
        verwacht = date(jaar, 4, 27) if date(jaar, 4, 27).weekday() != 6 else date(jaar, 4, 26)
        ander = date(jaar, 4, 26) if verwacht.day == 27 else date(jaar, 4, 27)
        assert KAL.feestdag(verwacht) == "Koningsdag", jaar
        assert "Koningsdag" not in (KAL.feestdag(ander) or ""), jaar  # may be tweede Paasdag (2038)
        assert _nl(jaar).get(verwacht) == "Koningsdag", jaar


def test_goede_vrijdag_off_by_default() -> None:
    assert date(2026, 4, 3) in _nl(2026)  # holidays.NL 0.109 lists it
    assert KAL.is_werkdag(date(2026, 4, 3)) is False
    assert KAL.plus_werkdagen(date(2026, 4, 2), 1) == date(2026, 4, 7)


def test_goede_vrijdag_switched_off_is_a_werkdag() -> None:
    kal = Werkdagkalender(goede_vrijdag=False)
    for jaar, vrijdag in ((2025, date(2025, 4, 18)), (2026, date(2026, 4, 3)), (2027, date(2027, 3, 26))):
        assert vrijdag in _nl(jaar)
        assert kal.is_werkdag(vrijdag) is True
        assert kal.feestdag(vrijdag) is None
    assert kal.plus_werkdagen(date(2026, 4, 2), 1) == date(2026, 4, 3)
    assert kal.is_werkdag(date(2026, 4, 6)) is False  # tweede Paasdag stays


def test_easter_sunday_equals_holidays_nl() -> None:
    assert [_paaszondag(j) for j in (2025, 2026, 2027, 2030, 2038)] == [
        date(2025, 4, 20),
        date(2026, 4, 5),
        date(2027, 3, 28),
        date(2030, 4, 21),
        date(2038, 4, 25),
    ]
    for jaar in range(1966, 2101):
        pasen = _paaszondag(jaar)
        assert pasen.weekday() == 6, jaar
        assert {pasen, pasen + timedelta(days=1), pasen + timedelta(days=49)} <= set(_nl(jaar)), jaar


def test_a_gelijkgestelde_dag_is_off() -> None:
    brugdag = date(2026, 5, 15)  # the Friday after Hemelvaartsdag
    kal = Werkdagkalender([brugdag, date(2026, 12, 25), date(2026, 5, 16)])
    assert KAL.is_werkdag(brugdag) is True
    assert kal.is_werkdag(brugdag) is False
    assert kal.feestdag(brugdag) == GELIJKGESTELDE_DAG == "Gelijkgestelde dag"
    assert kal.feestdag(date(2026, 12, 25)) == "Eerste kerstdag"  # a holiday keeps its own name
    assert KAL.plus_werkdagen(date(2026, 5, 13), 1) == date(2026, 5, 15)
    assert kal.plus_werkdagen(date(2026, 5, 13), 1) == date(2026, 5, 18)
    assert kal.werkdagen_tussen(date(2025, 12, 31), date(2026, 12, 31)) == 252  # the Saturday costs nothing


def test_a_datetime_as_date_is_refused() -> None:
    with pytest.raises(TypeError, match="lokale_datum"):
        KAL.is_werkdag(datetime(2026, 1, 1, tzinfo=AMSTERDAM))
    with pytest.raises(TypeError):
        KAL.werkdagen_tussen(date(2026, 1, 1), datetime(2026, 1, 5, tzinfo=AMSTERDAM))
    with pytest.raises(TypeError):
        Werkdagkalender([datetime(2026, 1, 5, tzinfo=AMSTERDAM)])


# --- counting werkdagen --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("van", "n", "verwacht"),
    [
        # weekend
        (date(2026, 1, 9), 1, date(2026, 1, 12)),
        (date(2026, 1, 8), 2, date(2026, 1, 12)),
        (date(2026, 1, 10), 1, date(2026, 1, 12)),
        (date(2026, 1, 9), 5, date(2026, 1, 16)),
        (date(2026, 1, 7), 0, date(2026, 1, 7)),
        (date(2026, 1, 10), 0, date(2026, 1, 12)),
        # Easter 2026: Goede Vrijdag 3 Apr, tweede Paasdag 6 Apr
        (date(2026, 4, 2), 1, date(2026, 4, 7)),
        (date(2026, 4, 1), 5, date(2026, 4, 10)),
        (date(2026, 4, 3), 0, date(2026, 4, 7)),
        # Koningsdag and 5 mei 2026
        (date(2026, 4, 27), 5, date(2026, 5, 4)),
        (date(2026, 4, 30), 5, date(2026, 5, 8)),
        # Hemelvaartsdag 14 May 2026
        (date(2026, 5, 13), 1, date(2026, 5, 15)),
        (date(2026, 5, 12), 5, date(2026, 5, 20)),
        # Christmas (Fri 25, Sat 26 Dec 2026) and New Year (Fri 1 Jan 2027)
        (date(2026, 12, 24), 1, date(2026, 12, 28)),
        (date(2026, 12, 23), 5, date(2026, 12, 31)),
        (date(2026, 12, 23), 6, date(2027, 1, 4)),
        (date(2026, 12, 31), 1, date(2027, 1, 4)),
        (date(2026, 12, 24), 10, date(2027, 1, 11)),
        (date(2026, 12, 31), 0, date(2026, 12, 31)),
        (date(2027, 1, 1), 0, date(2027, 1, 4)),
        # long: 253 werkdagen in 2026
        (date(2025, 12, 31), 253, date(2026, 12, 31)),
    ],
)
def test_plus_werkdagen(van: date, n: int, verwacht: date) -> None:
    assert KAL.plus_werkdagen(van, n) == verwacht


def test_plus_werkdagen_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        KAL.plus_werkdagen(date(2026, 1, 5), -1)


def test_next_werkdag() -> None:
    assert KAL.volgende_werkdag(date(2026, 1, 5)) == date(2026, 1, 5)
    assert KAL.volgende_werkdag(date(2026, 12, 25)) == date(2026, 12, 28)
    assert KAL.volgende_werkdag(date(2027, 1, 1)) == date(2027, 1, 4)


def test_werkdagen_between() -> None:
    assert KAL.werkdagen_tussen(date(2026, 1, 5), date(2026, 1, 9)) == 4
    assert KAL.werkdagen_tussen(date(2026, 4, 1), date(2026, 4, 10)) == 5
    assert KAL.werkdagen_tussen(date(2026, 12, 23), date(2027, 1, 4)) == 6
    assert KAL.werkdagen_tussen(date(2026, 1, 7), date(2026, 1, 7)) == 0
    assert KAL.werkdagen_tussen(date(2026, 1, 9), date(2026, 1, 11)) == 0  # only the weekend remains
    assert KAL.werkdagen_tussen(date(2026, 4, 2), date(2026, 4, 6)) == 0  # Goede Vrijdag to tweede Paasdag
    # Overdue: werkdagen in (eind, start], negated.
    assert KAL.werkdagen_tussen(date(2026, 1, 12), date(2026, 1, 9)) == -1
    assert KAL.werkdagen_tussen(date(2026, 4, 7), date(2026, 4, 2)) == -1
    assert KAL.werkdagen_tussen(date(2027, 1, 4), date(2026, 12, 23)) == -6
    assert KAL.werkdagen_tussen(date(2026, 1, 11), date(2026, 1, 9)) == 0


def test_werkdagen_in_a_suspension() -> None:
    # [start, eind): the day of suspension counts, the day of resumption does not.
    assert KAL.werkdagen_in(date(2026, 1, 9), date(2026, 1, 12)) == 1  # Fri -> Mon over a weekend
    assert KAL.werkdagen_in(date(2026, 1, 10), date(2026, 1, 12)) == 0  # suspended on Saturday
    assert KAL.werkdagen_in(date(2026, 12, 24), date(2026, 12, 28)) == 1  # over Christmas
    assert KAL.werkdagen_in(date(2026, 12, 23), date(2027, 1, 4)) == 6  # over Christmas and New Year
    assert KAL.werkdagen_in(date(2026, 4, 1), date(2026, 4, 8)) == 3  # Wed 1, Thu 2, Tue 7 April
    assert KAL.werkdagen_in(date(2026, 1, 7), date(2026, 1, 7)) == 0
    assert KAL.werkdagen_in(date(2026, 1, 9), date(2026, 1, 5)) == 0


def test_fast_count_equals_day_by_day() -> None:
    """The weekday arithmetic and binary search against a plain loop, 2025–2031, with a gelijkgestelde dag."""
    kal = Werkdagkalender([date(2027, 5, 7), date(2029, 12, 24)])
    begin, einde = date(2025, 1, 1), date(2031, 12, 31)
    werkdagen = [d for d in (begin + timedelta(days=i) for i in range((einde - begin).days)) if kal.is_werkdag(d)]
    assert len(werkdagen) == kal.werkdagen_tussen(begin - timedelta(days=1), einde - timedelta(days=1))
    assert kal.werkdagen_in(begin, einde) == len(werkdagen)
    for i, van in enumerate(werkdagen[:-70]):
        for n in (1, 2, 5, 10, 40, 60):
            assert kal.plus_werkdagen(van, n) == werkdagen[i + n], (van, n)
            assert kal.werkdagen_tussen(van, werkdagen[i + n]) == n
            assert kal.werkdagen_tussen(werkdagen[i + n], van) == -n
    for zaterdag in (d for d in (begin + timedelta(days=i) for i in range(2000)) if d.weekday() == 5):
        volgende = next(w for w in werkdagen if w > zaterdag)
        assert kal.plus_werkdagen(zaterdag, 1) == volgende == kal.volgende_werkdag(zaterdag)


# --- due moments ---------------------------------------------------------------------------------------------


def test_termijn_in_werkdagen_ends_at_end_of_day() -> None:
    einde = KAL.termijn_einde(_ams(2026, 4, 2), 1, TermijnEenheid.WERKDAGEN)
    assert einde == _eind(2026, 4, 7)
    assert KAL.termijn_einde(_ams(2026, 4, 30, 16), 5, TermijnEenheid.WERKDAGEN) == _eind(2026, 5, 8)
    assert KAL.termijn_einde(_ams(2026, 1, 10), 0, TermijnEenheid.WERKDAGEN) == _eind(2026, 1, 12)


def test_termijn_counts_from_the_amsterdam_date() -> None:
    begin = datetime(2026, 1, 7, 23, 30, tzinfo=UTC)  # Thursday 8 January 00:30 in Amsterdam
    assert lokale_datum(begin) == date(2026, 1, 8)
    assert KAL.termijn_einde(begin, 1, TermijnEenheid.WERKDAGEN) == _eind(2026, 1, 9)


@pytest.mark.parametrize(
    ("begin", "aantal", "eenheid", "verwacht"),
    [
        (_ams(2026, 1, 7), 3, TermijnEenheid.KALENDERDAGEN, _eind(2026, 1, 12)),  # Sat 10 Jan -> Mon
        (_ams(2026, 4, 21), 6, TermijnEenheid.KALENDERDAGEN, _eind(2026, 4, 28)),  # Koningsdag -> Tue
        (_ams(2026, 1, 10), 0, TermijnEenheid.KALENDERDAGEN, _eind(2026, 1, 12)),
        (_ams(2026, 1, 5), 4, TermijnEenheid.KALENDERDAGEN, _eind(2026, 1, 9)),  # a werkdag: unchanged
        (_ams(2026, 12, 18), 1, TermijnEenheid.WEKEN, _eind(2026, 12, 28)),  # Fri 25 Dec -> Mon 28 Dec
        (_ams(2026, 12, 4), 4, TermijnEenheid.WEKEN, _eind(2027, 1, 4)),  # Fri 1 Jan 2027 -> Mon 4 Jan
        (_ams(2026, 1, 31), 1, TermijnEenheid.MAANDEN, _eind(2026, 3, 2)),  # 28 Feb (Sat) -> Mon 2 Mar
        (_ams(2028, 1, 31), 1, TermijnEenheid.MAANDEN, _eind(2028, 2, 29)),  # leap year, a Tuesday
        (_ams(2026, 3, 27), 1, TermijnEenheid.MAANDEN, _eind(2026, 4, 28)),  # 27 Apr Koningsdag -> Tue
        (_ams(2026, 11, 30), 3, TermijnEenheid.MAANDEN, _eind(2027, 3, 1)),  # 28 Feb 2027 (Sun) -> Mon
        (_ams(2026, 3, 31), 1, TermijnEenheid.MAANDEN, _eind(2026, 4, 30)),
    ],
)
def test_termijn_in_days_weeks_months(
    begin: datetime, aantal: int, eenheid: TermijnEenheid, verwacht: datetime
) -> None:
    assert KAL.termijn_einde(begin, aantal, eenheid) == verwacht


def test_termijn_in_hours_exact_across_the_weekend() -> None:
    einde = KAL.termijn_einde(_ams(2026, 1, 9, 16), 48, TermijnEenheid.UREN)
    assert einde == _ams(2026, 1, 11, 16)  # a Sunday: hours do not stop for weekends
    assert einde.tzinfo is AMSTERDAM


def test_termijn_in_hours_exact_across_summer_and_winter_time() -> None:
    # Last Sunday of March 2026 (29 Mar) has 23 hours, of October 2026 (25 Oct) 25.
    maart = _ams(2026, 3, 28, 12)
    einde = KAL.termijn_einde(maart, 24, TermijnEenheid.UREN)
    assert (einde.date(), einde.hour, einde.utcoffset()) == (date(2026, 3, 29), 13, timedelta(hours=2))
    assert einde.astimezone(UTC) - maart.astimezone(UTC) == timedelta(hours=24)  # same-tz '-' is wall time
    oktober = _ams(2026, 10, 24, 12)
    einde = KAL.termijn_einde(oktober, 24, TermijnEenheid.UREN)
    assert (einde.date(), einde.hour, einde.utcoffset()) == (date(2026, 10, 25), 11, timedelta(hours=1))
    assert einde.astimezone(UTC) - oktober.astimezone(UTC) == timedelta(hours=24)
    begin_utc = datetime(2026, 3, 28, 11, tzinfo=UTC)
    assert KAL.termijn_einde(begin_utc, 24, TermijnEenheid.UREN).tzinfo is AMSTERDAM


def test_termijn_end_is_aware_and_in_amsterdam_across_a_clock_change() -> None:
    maart = KAL.termijn_einde(_ams(2026, 3, 27), 1, TermijnEenheid.WERKDAGEN)  # Fri in CET -> Mon in CEST
    assert maart.tzinfo is AMSTERDAM
    assert maart.utcoffset() == timedelta(hours=2)
    assert maart == datetime(2026, 3, 30, 21, 59, 59, 999999, tzinfo=UTC)
    oktober = KAL.termijn_einde(datetime(2026, 10, 23, 8, tzinfo=UTC), 1, TermijnEenheid.WERKDAGEN)
    assert oktober.tzinfo is AMSTERDAM
    assert oktober.utcoffset() == timedelta(hours=1)
    assert oktober == datetime(2026, 10, 26, 22, 59, 59, 999999, tzinfo=UTC)
    dag = KAL.termijn_einde(_ams(2026, 3, 28), 1, TermijnEenheid.KALENDERDAGEN)  # Sun 29 Mar -> Mon 30 Mar
    assert (dag.tzinfo, dag.utcoffset(), lokale_datum(dag)) == (AMSTERDAM, timedelta(hours=2), date(2026, 3, 30))


def test_a_naive_datetime_is_refused() -> None:
    naief = datetime(2026, 1, 5, 10)
    with pytest.raises(ValueError, match="naive"):
        KAL.termijn_einde(naief, 1, TermijnEenheid.WERKDAGEN)
    with pytest.raises(ValueError, match="naive"):
        KAL.termijn_einde(naief, 1, TermijnEenheid.UREN)
    with pytest.raises(ValueError, match="naive"):
        KAL.verschuif(naief, 1)
    with pytest.raises(ValueError, match="naive"):
        lokale_datum(naief)


@pytest.mark.parametrize("eenheid", list(TermijnEenheid))
def test_a_negative_count_is_refused(eenheid: TermijnEenheid) -> None:
    with pytest.raises(ValueError, match="aantal"):
        KAL.termijn_einde(_ams(2026, 1, 5), -1, eenheid)


def test_shift() -> None:
    einde = einde_van_dag(date(2026, 12, 22))
    assert KAL.verschuif(einde, 2) == _eind(2026, 12, 24)
    assert KAL.verschuif(einde, 3) == _eind(2026, 12, 28)
    assert KAL.verschuif(einde, 7) == _eind(2027, 1, 4)
    in_utc = datetime(2026, 12, 22, 15, tzinfo=UTC)
    assert KAL.verschuif(in_utc, 0) is in_utc
    with pytest.raises(ValueError, match="werkdagen"):
        KAL.verschuif(einde, -1)


def test_suspend_and_resume_shifts_the_termijn() -> None:
    """Due Thu 2 April 2026; suspended Wed 1 April, resumed Wed 8 April: 3 werkdagen (1, 2 and 7 April)."""
    einde = KAL.termijn_einde(_ams(2026, 3, 26), 5, TermijnEenheid.WERKDAGEN)
    assert einde == _eind(2026, 4, 2)
    opgeschort = KAL.werkdagen_in(lokale_datum(_ams(2026, 4, 1, 9)), lokale_datum(_ams(2026, 4, 8, 14)))
    assert opgeschort == 3
    assert KAL.verschuif(einde, opgeschort) == _eind(2026, 4, 9)


def test_extending_counts_from_the_old_end() -> None:
    oud = _eind(2026, 12, 23)
    assert KAL.termijn_einde(oud, 2, TermijnEenheid.WERKDAGEN) == _eind(2026, 12, 28)
    assert KAL.termijn_einde(oud, 1, TermijnEenheid.WEKEN) == _eind(2026, 12, 30)


def test_einde_van_dag_and_lokale_datum() -> None:
    zomer = einde_van_dag(date(2026, 3, 29))  # the day clocks go forward
    assert (zomer.hour, zomer.minute, zomer.second, zomer.microsecond) == (23, 59, 59, 999999)
    assert zomer.utcoffset() == timedelta(hours=2)
    assert einde_van_dag(date(2026, 1, 5)).utcoffset() == timedelta(hours=1)
    assert lokale_datum(datetime(2026, 7, 1, 21, 30, tzinfo=UTC)) == date(2026, 7, 1)
    assert lokale_datum(datetime(2026, 7, 1, 22, 30, tzinfo=UTC)) == date(2026, 7, 2)
    assert lokale_datum(einde_van_dag(date(2026, 10, 25))) == date(2026, 10, 25)
    with pytest.raises(TypeError):
        einde_van_dag(datetime(2026, 1, 5, tzinfo=UTC))


def test_termijn_eenheid_values() -> None:
    assert [e.value for e in TermijnEenheid] == ["werkdagen", "uren", "kalenderdagen", "weken", "maanden"]
    assert TermijnEenheid("werkdagen") is TermijnEenheid.WERKDAGEN

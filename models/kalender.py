"""Working days (werkdagen) and due moments per the Algemene termijnenwet (Atw).

Legal terms in this domain are counted in werkdagen. A werkdag is Monday–Friday and not an Atw art. 3 holiday,
not Goede Vrijdag (unless switched off) and not a gelijkgestelde dag of the werkproces definition.

The national holidays come from ``holidays.NL`` and are corrected by date arithmetic, never by holiday name:

* ``holidays.NL`` lists Bevrijdingsdag (5 mei) only in lustrum years (2025, 2030, ...); Atw art. 3 names
  "de vijfde mei" every year, so it is added every year.
* ``holidays.NL`` lists Eerste paasdag and Eerste pinksterdag; they are Sundays and not in the Atw, so they
  are dropped (a Sunday is no werkdag anyway, but ``feestdag`` must not name them).
* ``holidays.NL`` lists Goede Vrijdag; it is not in the Atw. It is kept (or added) when ``goede_vrijdag`` is
  true and dropped when false, so that it is then an ordinary werkdag.
* Koningsdag (27 April, Saturday 26 April when 27 April is a Sunday) matches the Atw and is used unchanged.

All moments are timezone-aware and interpreted in Europe/Amsterdam: a "day" is an Amsterdam calendar day.
"""

from __future__ import annotations

import calendar
import functools
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

AMSTERDAM: ZoneInfo = ZoneInfo("Europe/Amsterdam")

BEVRIJDINGSDAG = "Bevrijdingsdag"
GOEDE_VRIJDAG = "Goede vrijdag"  # spelled as holidays.NL does
GELIJKGESTELDE_DAG = "Gelijkgestelde dag"

_DAG = timedelta(days=1)


class TermijnEenheid(StrEnum):
    """The unit a term is expressed in; it decides how the due moment is computed."""

    WERKDAGEN = "werkdagen"
    UREN = "uren"  # acute terms, counted in clock hours
    KALENDERDAGEN = "kalenderdagen"
    WEKEN = "weken"
    MAANDEN = "maanden"


def einde_van_dag(d: date) -> datetime:
    """The last moment of Amsterdam day ``d``: a term "within n days" may be met until the day is over."""
    return datetime.combine(_datum(d), time.max, tzinfo=AMSTERDAM)


def lokale_datum(moment: datetime) -> date:
    """The Amsterdam calendar date of an aware moment; days are counted in Amsterdam, not in UTC."""
    return _bewust(moment).astimezone(AMSTERDAM).date()


def _paaszondag(jaar: int) -> date:
    """Easter Sunday (Gregorian computus, Meeus/Jones/Butcher).

    Computed here rather than taken from ``holidays`` internals, so that Easter-relative corrections do not
    depend on a private API or on holiday names.
    """
    gulden_getal = jaar % 19
    eeuw, jaar_in_eeuw = divmod(jaar, 100)
    eeuw_4, eeuw_rest = divmod(eeuw, 4)
    maan_correctie = (eeuw + 8) // 25
    zon_correctie = (eeuw - maan_correctie + 1) // 3
    epacta = (19 * gulden_getal + eeuw - eeuw_4 - zon_correctie + 15) % 30
    jaar_4, jaar_rest = divmod(jaar_in_eeuw, 4)
    weekdag = (32 + 2 * eeuw_rest + 2 * jaar_4 - epacta - jaar_rest) % 7
    uitzondering = (gulden_getal + 11 * epacta + 22 * weekdag) // 451
    maand, dag = divmod(epacta + weekdag - 7 * uitzondering + 114, 31)
    return date(jaar, maand, dag + 1)


@functools.cache
def _atw_feestdagen(jaar: int, goede_vrijdag: bool) -> Mapping[date, str]:
    """Atw holidays of one year (weekend dates included), by date. Cached per process: shared by instances."""
    dagen = dict(holidays.country_holidays("NL", years=jaar, language="nl").items())
    pasen = _paaszondag(jaar)
    # Sundays holidays.NL lists but the Atw does not.
    dagen.pop(pasen, None)
    dagen.pop(pasen + timedelta(days=49), None)
    # Atw art. 3: "de vijfde mei", every year (holidays.NL only in lustrum years).
    mei_5 = date(jaar, 5, 5)
    naam = dagen.get(mei_5)
    if naam is None:
        dagen[mei_5] = BEVRIJDINGSDAG
    elif BEVRIJDINGSDAG not in naam:  # coincides with Hemelvaartsdag (e.g. 2016)
        dagen[mei_5] = f"{naam}; {BEVRIJDINGSDAG}"
    # Goede Vrijdag never coincides with another holiday (20 March – 23 April), so popping it is safe.
    vrijdag = pasen - timedelta(days=2)
    if goede_vrijdag:
        dagen.setdefault(vrijdag, GOEDE_VRIJDAG)
    else:
        dagen.pop(vrijdag, None)
    return MappingProxyType(dagen)


def _weekdagen_tot_en_met(d: date) -> int:
    """Mondays–Fridays from 0001-01-01 (a Monday) up to and including ``d``; differences count ranges fast."""
    weken, rest = divmod(d.toordinal(), 7)
    return weken * 5 + min(rest, 5)


def _plus_weekdagen(d: date, k: int) -> date:
    """The k-th Monday–Friday after ``d`` (k >= 1), in constant time."""
    wd = d.weekday()
    if wd > 4:  # Saturday/Sunday: the weekdays after it are those after the preceding Friday
        d -= timedelta(days=wd - 4)
        wd = 4
    weken, rest = divmod(wd + k, 5)
    return d + timedelta(days=weken * 7 + rest - wd)


def _datum(d: date) -> date:
    # A datetime is a date subclass but never equals a date: holiday lookups would silently miss.
    if isinstance(d, datetime):
        raise TypeError(f"expected a date, got a datetime ({d!r}); use lokale_datum() first")
    return d


def _bewust(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: moments must be timezone-aware")
    return moment


def _plus_maanden(d: date, maanden: int) -> date:
    """Calendar months later; the day clamps to the month end (31 Jan + 1 month = 28/29 Feb)."""
    index = d.year * 12 + d.month - 1 + maanden
    jaar, maand = divmod(index, 12)
    maand += 1
    return date(jaar, maand, min(d.day, calendar.monthrange(jaar, maand)[1]))


class Werkdagkalender:
    """Counts werkdagen for one werkproces definition (its gelijkgestelde dagen and Goede Vrijdag choice).

    Holiday data is built lazily per year. Counting uses weekday arithmetic plus a binary search over the few
    non-working weekdays of each year, so long ranges cost no day-by-day loop.
    """

    __slots__ = ("_gelijkgesteld", "_goede_vrijdag", "_jaren")

    def __init__(self, gelijkgestelde_dagen: Iterable[date] = (), *, goede_vrijdag: bool = True) -> None:
        self._goede_vrijdag = goede_vrijdag
        self._gelijkgesteld: dict[int, set[date]] = {}
        for d in gelijkgestelde_dagen:
            self._gelijkgesteld.setdefault(_datum(d).year, set()).add(d)
        # year -> (names of all non-working holidays incl. weekend dates, sorted Monday–Friday ones)
        self._jaren: dict[int, tuple[Mapping[date, str], tuple[date, ...]]] = {}

    def _jaar(self, jaar: int) -> tuple[Mapping[date, str], tuple[date, ...]]:
        gegevens = self._jaren.get(jaar)
        if gegevens is None:
            namen = dict(_atw_feestdagen(jaar, self._goede_vrijdag))
            for d in self._gelijkgesteld.get(jaar, ()):
                namen.setdefault(d, GELIJKGESTELDE_DAG)  # a real holiday keeps its own name
            vrij = tuple(sorted(d for d in namen if d.weekday() < 5))
            gegevens = self._jaren[jaar] = (namen, vrij)
        return gegevens

    def _vrij_in(self, na: date, tot_en_met: date) -> int:
        """Non-working weekdays in (na, tot_en_met]."""
        totaal = 0
        for jaar in range(na.year, tot_en_met.year + 1):
            vrij = self._jaar(jaar)[1]
            totaal += bisect_right(vrij, tot_en_met) - bisect_right(vrij, na)
        return totaal

    def _tel(self, na: date, tot_en_met: date) -> int:
        """Werkdagen in (na, tot_en_met], for na <= tot_en_met."""
        weekdagen = _weekdagen_tot_en_met(tot_en_met) - _weekdagen_tot_en_met(na)
        return weekdagen - self._vrij_in(na, tot_en_met)

    def is_werkdag(self, d: date) -> bool:
        return _datum(d).weekday() < 5 and d not in self._jaar(d.year)[0]

    def feestdag(self, d: date) -> str | None:
        """Dutch name of the holiday or gelijkgestelde dag on ``d`` (also when it falls in a weekend, e.g.
        Koningsdag on Saturday 26 April 2025); None for other days, including plain weekend days."""
        return self._jaar(_datum(d).year)[0].get(d)

    def volgende_werkdag(self, d: date) -> date:
        """``d`` itself when it is a werkdag, else the first werkdag after it (Atw art. 1)."""
        return d if self.is_werkdag(d) else self.plus_werkdagen(d, 1)

    def plus_werkdagen(self, d: date, n: int) -> date:
        """The n-th werkdag after ``d``: the Atw counts from the day after the event. n == 0 gives
        ``volgende_werkdag(d)``."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if n == 0:
            return self.volgende_werkdag(d)
        # Step n weekdays ahead, then once more for each non-working weekday found in the stretch just added,
        # until a stretch holds none: the end is then a werkdag with exactly n werkdagen in (d, end].
        vorige, einde = _datum(d), _plus_weekdagen(d, n)
        while tekort := self._vrij_in(vorige, einde):
            vorige, einde = einde, _plus_weekdagen(einde, tekort)
        return einde

    def werkdagen_tussen(self, start: date, eind: date) -> int:
        """Werkdagen left from today ``start`` until due day ``eind``: those in (start, eind]. When ``eind``
        is past, the werkdagen in (eind, start], negated: how many werkdagen the step is overdue."""
        if _datum(eind) >= _datum(start):
            return self._tel(start, eind)
        return -self._tel(eind, start)

    def werkdagen_in(self, start: date, eind: date) -> int:
        """Werkdagen in [start, eind): a suspension from ``start`` until resumed on ``eind`` costs the
        suspension day itself but not the day of resumption. 0 when eind <= start."""
        if _datum(eind) <= _datum(start):
            return 0
        return self._tel(start - _DAG, eind - _DAG)

    def termijn_einde(self, begin: datetime, aantal: int, eenheid: TermijnEenheid) -> datetime:
        """The due moment of a term of ``aantal`` ``eenheid`` starting at aware moment ``begin``.

        Day-based terms end at the end of an Amsterdam day: WERKDAGEN on the aantal-th werkdag after the
        start day; KALENDERDAGEN/WEKEN/MAANDEN on the computed day, moved to the next werkdag when it is not
        one (Atw art. 1). UREN are exact elapsed hours, also across weekends and DST changes.
        """
        _bewust(begin)
        if aantal < 0:
            raise ValueError(f"aantal must be >= 0, got {aantal}")
        if eenheid is TermijnEenheid.UREN:
            # Aware datetime + timedelta is wall-clock arithmetic; go through UTC for elapsed hours.
            return (begin.astimezone(UTC) + timedelta(hours=aantal)).astimezone(AMSTERDAM)
        dag = lokale_datum(begin)
        if eenheid is TermijnEenheid.WERKDAGEN:
            return einde_van_dag(self.plus_werkdagen(dag, aantal))
        if eenheid is TermijnEenheid.KALENDERDAGEN:
            dag += timedelta(days=aantal)
        elif eenheid is TermijnEenheid.WEKEN:
            dag += timedelta(weeks=aantal)
        elif eenheid is TermijnEenheid.MAANDEN:
            dag = _plus_maanden(dag, aantal)
        else:  # pragma: no cover - exhaustive over TermijnEenheid
            raise ValueError(f"unknown eenheid {eenheid!r}")
        return einde_van_dag(self.volgende_werkdag(dag))

    def verschuif(self, einde: datetime, werkdagen: int) -> datetime:
        """Move a due moment ``werkdagen`` werkdagen later (after opschorten): end of that werkdag.
        0 returns ``einde`` unchanged."""
        _bewust(einde)
        if werkdagen < 0:
            raise ValueError(f"werkdagen must be >= 0, got {werkdagen}")
        if werkdagen == 0:
            return einde
        return einde_van_dag(self.plus_werkdagen(lokale_datum(einde), werkdagen))

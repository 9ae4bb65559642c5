"""The demo's simulated clock: it starts at the next working day 09:00 and moves forward in working days."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from models.kalender import AMSTERDAM, Werkdagkalender, lokale_datum


class DemoKlok:
    """Simulated time for the case store (due dates, history); tokens keep real time."""

    def __init__(self, kalender: Werkdagkalender) -> None:
        self.kalender = kalender
        vandaag = self.kalender.volgende_werkdag(datetime.now(AMSTERDAM).date() + timedelta(days=1))
        self.moment = datetime.combine(vandaag, time(9, 0), tzinfo=AMSTERDAM).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.moment

    def werkdagen(self, n: int, uur: int = 10) -> None:
        dag = self.kalender.plus_werkdagen(lokale_datum(self.moment), n)
        self.moment = datetime.combine(dag, time(uur, 0), tzinfo=AMSTERDAM).astimezone(UTC)

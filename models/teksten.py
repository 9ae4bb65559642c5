"""Dates and terms as Dutch readers see them, in one place for the CLI, the messages and the Prefect view.

Pure text (no terminal markup): the CLI colours it, a message or a run name uses it as is, so a partner reads
the same "nog 3 werkdagen" in the postvak as in the e-mail.
"""

from __future__ import annotations

from datetime import datetime

from models.kalender import AMSTERDAM


def datum(moment: datetime | None) -> str:
    """The Amsterdam calendar day (dd-mm-jjjj): a term ends at the end of a Dutch day, not a UTC one."""
    return "" if moment is None else moment.astimezone(AMSTERDAM).strftime("%d-%m-%Y")


def moment_tekst(moment: datetime | None) -> str:
    """Day and Amsterdam time (dd-mm-jjjj uu:mm), for logs and histories a coordinator reads."""
    return "" if moment is None else moment.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")


def werkdagen_tekst(n: int) -> str:
    """Werkdagen left until a due date (negative: overdue): "nog 3 werkdagen", "vandaag", "1 werkdag te laat"."""
    if n < 0:
        return f"{-n} werkdag{'en' if n != -1 else ''} te laat"
    if n == 0:
        return "vandaag"
    return f"nog {n} werkdag{'en' if n != 1 else ''}"

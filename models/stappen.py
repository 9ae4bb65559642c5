"""The lifecycle of a step, as one table a domain expert can read, and the one function that checks it.

Every status change of a step in the use cases goes through :func:`overgang`; a change the table does not list
is refused with a domain error, so no code path can, say, reopen a finished step or decide a suspended one.
A step is created ``open`` (a started step) or ``afgerond`` (the intake that the signal itself completes).
"""

from __future__ import annotations

from dataclasses import dataclass

from models.casus import StapStatus
from models.fouten import Conflict


@dataclass(frozen=True)
class Overgang:
    van: StapStatus
    naar: StapStatus
    #: What causes the change, in the words of the werkproces.
    aanleiding: str


#: From-status → to-status, with the event that causes it. Nothing else is allowed.
LEVENSLOOP: tuple[Overgang, ...] = (
    Overgang(StapStatus.OPEN, StapStatus.BESLOTEN, "de eigenaar legt een besluit vast"),
    Overgang(StapStatus.BESLOTEN, StapStatus.AFGEROND, "het besluit is toegepast (vervolgstappen gestart)"),
    Overgang(StapStatus.OPEN, StapStatus.OPGESCHORT, "de termijn wordt opgeschort"),
    Overgang(StapStatus.OPGESCHORT, StapStatus.OPEN, "de opgeschorte termijn wordt hervat"),
    Overgang(StapStatus.OPEN, StapStatus.VERVALLEN, "de casus is in een andere tak gesloten"),
    Overgang(StapStatus.BESLOTEN, StapStatus.VERVALLEN, "de casus is in een andere tak gesloten"),
    Overgang(StapStatus.OPGESCHORT, StapStatus.VERVALLEN, "de casus is in een andere tak gesloten"),
)

#: The statuses a step can be created in.
BEGINSTATUSSEN = (StapStatus.OPEN, StapStatus.AFGEROND)

_TOEGESTAAN = {(o.van, o.naar) for o in LEVENSLOOP}


class OngeldigeOvergang(Conflict):
    """A step status change the lifecycle does not allow (a stale view, or a defect)."""


def toegestaan(van: str, naar: str) -> bool:
    return (StapStatus(van), StapStatus(naar)) in _TOEGESTAAN


def overgang(van: str, naar: StapStatus) -> StapStatus:
    """The new status if the lifecycle allows ``van`` → ``naar``; otherwise :class:`OngeldigeOvergang`."""
    if not toegestaan(van, naar):
        raise OngeldigeOvergang(f"een stap met status '{van}' kan niet naar '{naar}'", veld="stap")
    return naar

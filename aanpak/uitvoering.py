"""What happens after a coordinator's request is stored: the transition that follows it.

The CLI writes through the use cases and then hands the opaque reference to this module, which drives the
transition. Keeping that in one place lets the same CLI run the transitions in process (tests, a bare
machine) or as Prefect flow runs, without the CLI knowing which.
"""

from __future__ import annotations

from aanpak.omgeving import Omgeving
from aanpak.usecases.besluit import BesluitToegepast, pas_besluit_toe
from aanpak.usecases.signaal import SignaalVerwerkt, verwerk_signaal


def na_signaal(omg: Omgeving, signaal_ref: str) -> SignaalVerwerkt:
    return verwerk_signaal(omg, signaal_ref)


def na_besluit(omg: Omgeving, besluit_ref: str) -> BesluitToegepast:
    return pas_besluit_toe(omg, besluit_ref)

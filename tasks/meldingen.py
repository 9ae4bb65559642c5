"""The delivery task: one delivery round over the outbox, under Prefect's retry policy for short blips.

Two layers of retry, on purpose: when a send fails the row gets a short outbox backoff (seconds) and the task
raises ``Storing``, so Prefect retries the round a few seconds later (exponential backoff with jitter) and the
blip is over before anyone notices. A longer outage outlasts the task retries; the row keeps its growing
``volgende_poging``, and one run of the ``meldingen-versturen`` deployment is planned for that moment
(``flows/meldingen_versturen.py: plan_herhaling``). Nothing here
returns or raises personal data: the report holds counts and role keys.
"""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from aanpak.meldingen import kanalen as kanaalconfig
from aanpak.meldingen.instellingen import beleid, meldinginstellingen
from aanpak.omgeving import standaard
from aanpak.usecases import bezorging
from tasks.beleid import Storing, alleen_tijdelijk, veilig

_TAAK_RETRIES = 3
#: Twice the outbox's backoff base: even with Prefect's jitter (down to 0.63×) a retried round starts no earlier than
#: the failed rows' next attempt (outbox attempt n waits at most ``basis * 2**(n-1)``), so it finds them due.
_TAAK_BACKOFF = 2 * meldinginstellingen().meldingen_backoff_basis


def _ronde(herhaal_bij_storing: bool) -> bezorging.Rondeverslag:
    inst = meldinginstellingen()
    verslag = bezorging.bezorg(standaard(), kanaalconfig.laad(inst.kanalen), beleid())
    if herhaal_bij_storing and verslag.uitgesteld:
        raise Storing(f"{verslag.uitgesteld} bezorging(en) nog niet gelukt; wordt opnieuw geprobeerd")
    return verslag


@task(
    name="verstuur-meldingen",
    persist_result=False,
    cache_policy=NO_CACHE,
    retries=_TAAK_RETRIES,
    retry_delay_seconds=exponential_backoff(backoff_factor=_TAAK_BACKOFF),
    retry_jitter_factor=0.5,
    retry_condition_fn=alleen_tijdelijk,
    log_prints=False,
)
@veilig
def verstuur_meldingen(herhaal_bij_storing: bool = True) -> bezorging.Rondeverslag:
    """Deliver every due outbox row over its channels and record each outcome."""
    return _ronde(herhaal_bij_storing)


def volgende_poging() -> datetime | None:
    """When the earliest waiting notification or delivery is due again (None: nothing waits).

    A plain read, not a task: it decides whether a retry run is planned and should not add a task run itself.
    """
    from sqlalchemy import func, select

    from aanpak.store.schema import Bezorging, Melding

    with standaard().uow() as sessie:
        momenten = [
            sessie.scalar(select(func.min(Bezorging.volgende_poging)).where(Bezorging.status == bezorging.WACHTEND)),
            sessie.scalar(select(func.min(Melding.volgende_poging)).where(Melding.status == bezorging.WACHTEND)),
        ]
    bekend = [m if m.tzinfo else m.replace(tzinfo=UTC) for m in momenten if m is not None]
    return min(bekend, default=None)

"""Delivering the outbox to real receivers on loopback: outages, slow endpoints, failures, crashes, concurrency.

Receivers count what arrives, raw and after deduplication on the ``Idempotency-Key`` header. Time moves with
the injected clock (past backoff and claim times), so no test sleeps through a backoff.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from aanpak.meldingen import kanalen as kanaalconfig
from aanpak.meldingen.inhoud import kenmerk_van
from aanpak.meldingen.instellingen import Beleid
from aanpak.omgeving import Omgeving
from aanpak.store.schema import Bezorging, Casus, Melding
from aanpak.usecases import bezorging
from tests import wachttijden
from tests.conftest import Klok
from tests.gegevens import signaleer
from tests.ontvangers import HttpOntvanger, SmtpOntvanger, vrije_poort

BELEID = Beleid(max_pogingen=6, backoff_basis=2.0, backoff_max=60.0, timeout=1.0, parallel=4, batch=50, claim=120.0)


def kanalen(*regels: tuple[str, str]) -> kanaalconfig.Kanalen:
    """Channels from an apprise YAML text built from (url, tag) pairs."""
    tekst = "version: 1\nurls:\n" + "".join(f'  - "{url}":\n      tag: {tag}\n' for url, tag in regels)
    return kanaalconfig.lees(tekst, "test-kanalen.yaml", {})


def kenmerken(omg: Omgeving) -> list[str]:
    with omg.uow() as sessie:
        return sorted(kenmerk_van(m) for m in sessie.scalars(select(Melding)))


def statussen(omg: Omgeving) -> dict[str, int]:
    with omg.uow() as sessie:
        uit: dict[str, int] = {}
        for b in sessie.scalars(select(Bezorging)):
            uit[b.status] = uit.get(b.status, 0) + 1
        return uit


def verder(klok: Klok, beleid: Beleid = BELEID) -> None:
    """Past every backoff (and a crashed run's claim)."""
    klok.verder(seconds=max(beleid.backoff_max, beleid.claim) + 1)


@pytest.fixture
def http() -> Iterator[HttpOntvanger]:
    ontvanger = HttpOntvanger()
    yield ontvanger
    ontvanger.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpOntvanger]:
    ontvanger = SmtpOntvanger()
    yield ontvanger
    ontvanger.stop()


def test_outage_and_recovery_lose_nothing_double_nothing(
    omg: Omgeving, klok: Klok, http: HttpOntvanger, smtp: SmtpOntvanger
) -> None:
    """Both endpoints down, then the webhook refuses (503), then both come back: each message exactly once."""
    k = kanalen((http.url, "alle"), (smtp.url, "alle"))
    signaleer(omg)
    signaleer(omg, rol="jgz.jeugdverpleegkundige", bsn=None)
    verwacht = kenmerken(omg)
    assert len(verwacht) >= 5

    verslag = bezorging.bezorg(omg, k, BELEID)  # nobody listens
    assert (verslag.verzonden, verslag.uitgesteld) == (0, 2 * len(verwacht))
    verder(klok)
    assert bezorging.bezorg(omg, k, BELEID).uitgesteld == 2 * len(verwacht)

    http.stand = "503"
    http.start()
    verder(klok)
    assert bezorging.bezorg(omg, k, BELEID).verzonden == 0
    with omg.uow() as sessie:
        fouten = set(sessie.scalars(select(Bezorging.laatste_fout)))
    assert fouten == {"json: HTTP 503", "mailto: verbinding mislukt"}

    http.stand = "op"
    smtp.start()
    verder(klok)
    verslag = bezorging.bezorg(omg, k, BELEID)
    assert verslag.verzonden == 2 * len(verwacht)
    # Counted at the receivers: every notification once, none lost, none doubled (not even before dedup).
    assert sorted(s or "" for s in http.sleutels) == verwacht
    assert sorted(s or "" for s in smtp.sleutels) == verwacht
    assert statussen(omg) == {"verzonden": 2 * len(verwacht)}
    with omg.uow() as sessie:
        assert set(sessie.scalars(select(Melding.status))) == {"verzonden"}
    # Nothing left to do: a further run sends nothing.
    verder(klok)
    assert bezorging.bezorg(omg, k, BELEID).verzonden == 0
    assert len(http.sleutels) == len(verwacht)


def test_a_slow_endpoint_does_not_block_the_rest(omg: Omgeving, klok: Klok, http: HttpOntvanger) -> None:
    """A receiver that hangs times out per send; the others are delivered meanwhile; the slow one later."""
    traag = HttpOntvanger()
    # The slow receiver answers nothing until the test releases it (no race against the clock).
    traag.stand, traag.vertraging = "traag", wachttijden.DRAAD
    traag.start()
    try:
        http.start()
        beleid = Beleid(timeout=wachttijden.HTTP_TIMEOUT, parallel=4, batch=50, backoff_max=60.0, claim=120.0)
        k = kanalen((traag.url, "alle"), (http.url, "alle"))
        signaleer(omg)
        verwacht = kenmerken(omg)

        verslag = bezorging.bezorg(omg, k, beleid)
        assert verslag.verzonden == len(verwacht)
        assert verslag.uitgesteld == len(verwacht)
        # The fast receiver got everything while the slow one was still hanging (it has answered nothing yet).
        assert sorted(s or "" for s in http.sleutels) == verwacht
        assert traag.uniek() == set()
        with omg.uow() as sessie:
            fouten = set(sessie.scalars(select(Bezorging.laatste_fout).where(Bezorging.kanaal == "alle/json")))
        assert fouten == {"json: time-out"}

        # The slow one recovers (its hanging requests still land: the receiver dedups on the key).
        traag.stand = "op"
        traag._wek.set()
        verder(klok)
        verslag = bezorging.bezorg(omg, k, beleid)
        assert verslag.verzonden == len(verwacht)
        assert sorted(traag.uniek(), key=str) == verwacht
        assert sorted(s or "" for s in http.sleutels) == verwacht  # the fast one was not sent again
    finally:
        traag.stop()


def test_after_max_attempts_failed_regie_told_and_retried(omg: Omgeving, klok: Klok, http: HttpOntvanger) -> None:
    """A channel that stays down: mislukt after max attempts, the coordinator is told, an operator requeues."""
    beleid = Beleid(max_pogingen=3, backoff_basis=2.0, backoff_max=60.0, timeout=1.0, claim=120.0)
    dood = HttpOntvanger(vrije_poort())  # not started: connection refused
    http.start()
    k = kanalen((http.url, "alle"), (dood.url, "school-de-wissel, school.teamleider"))
    signaleer(omg)
    with omg.uow() as sessie:
        casus = sessie.scalars(select(Casus)).one()
        coordinator = casus.casusregie or casus.procesregie
        teamleider = sessie.scalars(select(Melding).where(Melding.ontvanger_rol == "school.teamleider")).one()
    assert coordinator
    assert coordinator != "school.teamleider"

    for _ in range(beleid.max_pogingen):
        bezorging.bezorg(omg, k, beleid)
        verder(klok, beleid)
    bezorging.bezorg(omg, k, beleid)  # delivers the notice about the failure

    with omg.uow() as sessie:
        m = sessie.get_one(Melding, teamleider.id)
        assert m.status == "mislukt"
        dode = sessie.scalars(
            select(Bezorging).where(Bezorging.kanaal == "school-de-wissel+school.teamleider/json")
        ).one()
        assert (dode.status, dode.pogingen, dode.laatste_fout) == ("mislukt", 3, "json: verbinding mislukt")
        notice = sessie.scalars(select(Melding).where(Melding.soort == "bezorging_mislukt")).one()
        assert notice.ontvanger_rol == coordinator
        assert notice.status == "verzonden"
    titels = [o.titel for o in http.ontvangen]
    assert any("Melding niet bezorgd aan Teamleider" in t for t in titels), titels
    assert bezorging.overzicht(omg).mislukt[0].melding_id == teamleider.id

    # The operator repairs the endpoint and requeues this notification.
    dood.start()
    try:
        assert bezorging.opnieuw(omg, melding_id=teamleider.id) == 1
        verslag = bezorging.bezorg(omg, k, beleid)
        assert verslag.verzonden == 1
        assert dood.sleutels == [kenmerk_van(teamleider)]
        with omg.uow() as sessie:
            assert sessie.get_one(Melding, teamleider.id).status == "verzonden"
        assert bezorging.overzicht(omg).mislukt == []
        assert bezorging.opnieuw(omg, alle_mislukt=True) == 0
    finally:
        dood.stop()


def test_crash_between_sending_and_recording_keeps_the_same_key(
    omg: Omgeving, klok: Klok, http: HttpOntvanger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sent, then the process dies before recording: resent after the claim expires, same key; dedup → once."""
    http.start()
    k = kanalen((http.url, "alle"))
    signaleer(omg)
    verwacht = kenmerken(omg)
    echt = bezorging.leg_vast
    gecrasht: list[int] = []
    vastleggingen: list[int] = []
    slot = threading.Lock()

    def crash_eenmaal(omg_: Omgeving, bezorging_id: int, *args: object, **kwargs: object) -> str | None:
        # The last recording of the round crashes: by then every delivery of the round was sent (each send comes
        # before its own recording), whatever order the parallel senders ran in.
        with slot:
            vastleggingen.append(bezorging_id)
            crash = len(vastleggingen) == len(verwacht) and not gecrasht
            if crash:
                gecrasht.append(bezorging_id)
        if crash:
            raise RuntimeError("proces gestopt")
        return echt(omg_, bezorging_id, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bezorging, "leg_vast", crash_eenmaal)
    with pytest.raises(RuntimeError):
        bezorging.bezorg(omg, k, BELEID)
    monkeypatch.setattr(bezorging, "leg_vast", echt)
    assert len(http.sleutels) == len(verwacht)  # all were sent, one was not recorded

    # Still reserved by the crashed run: not sent again yet.
    assert bezorging.bezorg(omg, k, BELEID).verzonden == 0
    assert len(http.sleutels) == len(verwacht)

    klok.verder(seconds=BELEID.claim + 1)
    assert bezorging.bezorg(omg, k, BELEID).verzonden == 1
    sleutels = http.sleutels
    assert len(sleutels) == len(verwacht) + 1
    dubbel = [s for s in set(sleutels) if sleutels.count(s) == 2]
    with omg.uow() as sessie:
        b = sessie.get_one(Bezorging, gecrasht[0])
        assert dubbel == [kenmerk_van(sessie.get_one(Melding, b.melding_id))]
        assert b.status == "verzonden"
    assert sorted(s or "" for s in http.uniek()) == verwacht  # after dedup: exactly once


def test_two_concurrent_runs_never_send_a_row_twice(omg: Omgeving, klok: Klok, http: HttpOntvanger) -> None:
    """Two delivery runs at once (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: BEGIN IMMEDIATE): disjoint rows."""
    http.start()
    k = kanalen((http.url, "alle"))
    signaleer(omg)
    with omg.uow() as sessie:
        casus = sessie.scalars(select(Casus)).one()
        for i in range(200):
            sessie.add(
                Melding(
                    sleutel=f"{casus.ref}:test:{i}:school.zorgcoordinator",
                    casus_id=casus.id,
                    soort="stap_gestart",
                    ontvanger_rol="school.zorgcoordinator",
                    stap_key="interne_weging",
                    termijn_einde=klok() + timedelta(days=7),
                    gegevens={"eigenaar": "school.zorgcoordinator"},
                    status="wachtend",
                    pogingen=0,
                    volgende_poging=klok(),
                    aangemaakt_op=klok(),
                )
            )
    verwacht = kenmerken(omg)
    beleid = Beleid(parallel=4, batch=15, timeout=5.0, claim=120.0)
    start = threading.Barrier(2)
    verslagen: list[bezorging.Rondeverslag] = []
    fouten: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            verslagen.append(bezorging.bezorg(omg, k, beleid))
        except BaseException as exc:
            fouten.append(exc)

    draden = [threading.Thread(target=run) for _ in range(2)]
    for d in draden:
        d.start()
    for d in draden:
        d.join(60)
    assert not fouten
    sleutels = http.sleutels
    assert len(sleutels) == len(set(sleutels)) == len(verwacht)  # not one row sent twice, none left out
    assert sum(v.verzonden for v in verslagen) == len(verwacht)
    assert all(v.verzonden > 0 for v in verslagen), "both runs should have taken part"
    assert statussen(omg) == {"verzonden": len(verwacht)}


def test_a_role_without_channel_waits_and_is_reported(omg: Omgeving, klok: Klok, http: HttpOntvanger) -> None:
    """A role without a channel is reported by the run; its rows wait in the outbox instead of being dropped."""
    http.start()
    # Two schools in the register: a channel serves a school role only when scoped to the school's key.
    k = kanalen((http.url, "school-de-wissel, school.zorgcoordinator"))
    signaleer(omg)
    verslag = bezorging.bezorg(omg, k, BELEID)
    assert verslag.zonder_kanaal == ["school.teamleider"]
    with omg.uow() as sessie:
        m = sessie.scalars(select(Melding).where(Melding.ontvanger_rol == "school.teamleider")).one()
        assert (m.status, m.laatste_fout) == ("wachtend", "geen kanaal geconfigureerd voor deze rol")
    # Configured later: delivered.
    k = kanalen((http.url, "school-de-wissel"))
    verder(klok)
    assert bezorging.bezorg(omg, k, BELEID).verzonden == 1
    assert kenmerk_van(m) in http.sleutels


def test_backoff_grows_exponentially_with_jitter_and_ceiling() -> None:
    import random

    rnd = random.Random(7)
    beleid = Beleid(backoff_basis=2.0, backoff_max=60.0)
    for poging, grens in [(1, 2.0), (2, 4.0), (3, 8.0), (5, 32.0), (6, 60.0), (20, 60.0)]:
        for _ in range(20):
            s = bezorging.wachttijd(poging, beleid, rnd).total_seconds()
            assert grens / 2 <= s <= grens


def test_contact_details_shared_at_a_match_are_logged_once(
    omg: Omgeving, klok: Klok, http: HttpOntvanger, smtp: SmtpOntvanger
) -> None:
    """A match message carries the other professional's contact: one disclosure-log entry per recipient, when it
    first arrives — not per channel, not per retry; other messages carry no personal data and are not logged."""
    from aanpak.store.schema import Verwerking
    from aanpak.usecases import logboek

    http.start()
    smtp.start()
    http.stand = "503"  # the webhook refuses first: the e-mail arrives, the webhook later
    k = kanalen((http.url, "alle"), (smtp.url, "alle"))
    casus_ref = signaleer(omg).casus_ref
    signaleer(omg, rol="jgz.jeugdverpleegkundige", bsn=None)
    with omg.uow() as sessie:
        match_rollen = sorted(sessie.scalars(select(Melding.ontvanger_rol).where(Melding.soort == "match")))
    assert match_rollen  # the school and JGZ are told about each other

    bezorging.bezorg(omg, k, BELEID)
    http.stand = "op"
    verder(klok)
    bezorging.bezorg(omg, k, BELEID)
    assert statussen(omg) == {"verzonden": len(kenmerken(omg)) * 2}
    with omg.uow() as sessie:
        regels = list(sessie.scalars(select(Verwerking).order_by(Verwerking.volgnummer)))
        assert logboek.verifieer(sessie).in_orde
    assert sorted(r.rol for r in regels) == match_rollen
    assert {(r.casus_ref, r.handeling, r.uitkomst, tuple(r.categorieen)) for r in regels} == {
        (casus_ref, "delen", "verstrekt", ("contact",))
    }

"""The log redaction filter (aanpak/redactie.py): what it masks, what it leaves, and that Prefect only gets masked text.

The flow test runs a real flow on the session's Prefect server that logs personal data by mistake (from the flow
and from a task, also in a traceback), then reads the run's logs back through the Prefect client.
"""

from __future__ import annotations

import logging
from uuid import UUID

import pytest
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from prefect.logging.handlers import APILogHandler, APILogWorker

from aanpak.redactie import VERWIJDERD, Redactiefilter, installeer, maskeer
from tests.gegevens import SENTINEL_BSN

EMAIL = "melder@school.example"
TELEFOON = "077-0000000"
IBAN = "NL91ABNA0417164300"


B = SENTINEL_BSN
V = VERWIJDERD


@pytest.mark.parametrize(
    ("tekst", "verwacht"),
    [
        (B, V),
        (f"bsn={B}", f"bsn={V}"),
        (f"BSN: {B[:3]}.{B[3:6]}.{B[6:]}", f"BSN: {V}"),
        (f"bsn {B[:3]} {B[3:6]} {B[6:]}", f"bsn {V}"),
        (f"{B[:4]}.{B[4:6]}.{B[6:]}", V),
        ("'999990019'", f"'{V}'"),
        (EMAIL, V),
        ("Mail a.mentor+zorg@basisschool-de-linde.venlo.nl graag", f"Mail {V} graag"),
        (TELEFOON, V),
        ("0770000000", V),
        ("bel 06-12345678.", f"bel {V}."),
        ("06 1234 5678", V),
        ("+31 6 12345678", V),
        ("+31 (0)77 123 45 67", V),
        ("0031771234567", V),
        ("(077) 123 45 67", V),
        ("tel:020-1234567", f"tel:{V}"),
        ("5911 AA", V),
        ("postcode 5911AA Venlo", f"postcode {V} Venlo"),
        (IBAN, V),
        ("iban NL91 ABNA 0417 1643 00, graag", f"iban {V}, graag"),
        ("BE68539007547034", V),
    ],
)
def test_masks_personal_data(tekst: str, verwacht: str) -> None:
    assert maskeer(tekst) == verwacht
    assert maskeer(verwacht) == verwacht


@pytest.mark.parametrize(
    "tekst",
    [
        "casus C-7K3M9QXD, signaal S-AB12CD34, besluit B-K5EFSHAJ, overdracht O-K5EFSHAJ",
        "uiterlijk 11-12-2026",
        "uiterlijk 01-12-2026 10:00",
        "2026-12-01T09:00:00+00:00",
        "3 stappen, 12 signaleringen, 123456 rijen, 1000 ms",
        "111222334",  # nine digits that fail the elfproef
        "123456789",
        "flow run 5f3a0c2e-0123-4567-8901-0123456789ab",
        "http://127.0.0.1:4200/api/flow_runs/5f3a0c2e-0123-4567-8901-0123456789ab",
        "Wacht op casusoverleg — gemeente.procesregisseur — uiterlijk 21-12-2026",
        "stap:interne_weging ave:2 regie:wijkteam.casusregisseur",
        "Finished in state Completed()",
        "versie 2026.1, 0.75 s",
    ],
)
def test_leaves_references_dates_and_counts_alone(tekst: str) -> None:
    assert maskeer(tekst) == tekst


def test_the_sentinel_bsn_passes_the_elfproef_so_the_mask_is_meant() -> None:
    assert maskeer(f"a {SENTINEL_BSN} b") == f"a {VERWIJDERD} b"
    assert maskeer(f"{SENTINEL_BSN[:-1]}4") == f"{SENTINEL_BSN[:-1]}4"


def _record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("aanpak.proef", logging.INFO, __file__, 1, msg, args, exc_info)


def test_filter_masks_message_arguments_and_traceback() -> None:
    try:
        raise ValueError(f"kapot voor {EMAIL}")
    except ValueError as exc:
        record = _record(
            "signaal %s van %s (bsn %s), casus %s", "S-AB12CD34", TELEFOON, SENTINEL_BSN, "C-7K3M9QXD", exc=exc
        )

    assert Redactiefilter().filter(record) is True
    tekst = logging.Formatter().format(record)

    assert record.getMessage() == f"signaal S-AB12CD34 van {VERWIJDERD} (bsn {VERWIJDERD}), casus C-7K3M9QXD"
    assert "Traceback" in tekst
    assert "ValueError: kapot voor [verwijderd]" in tekst
    for waarde in (EMAIL, TELEFOON, SENTINEL_BSN):
        assert waarde not in tekst


def test_filter_survives_a_broken_format_string() -> None:
    record = _record("bsn %s %s", SENTINEL_BSN)  # one argument too few
    assert Redactiefilter().filter(record) is True
    assert record.getMessage() == "bsn %s %s"


# -- installed on Prefect's loggers and handlers --------------------------------------------------------------


def _heeft(doel: logging.Filterer) -> int:
    return sum(isinstance(f, Redactiefilter) for f in doel.filters)


def test_installed_once_on_aanpak_prefect_and_their_handlers() -> None:
    import flows  # noqa: F401  (importing the flows installs it)

    installeer()
    installeer()

    run_loggers = [logging.getLogger(n) for n in ("aanpak", "prefect", "prefect.flow_runs", "prefect.task_runs")]
    assert [_heeft(lg) for lg in run_loggers] == [1, 1, 1, 1]
    api = [h for h in logging.getLogger("prefect.flow_runs").handlers if isinstance(h, APILogHandler)]
    assert api, "Prefect's API log handler is on the run loggers"
    assert all(_heeft(h) == 1 for h in api)
    assert all(_heeft(h) == 1 for h in logging.getLogger().handlers)


@task(cache_policy=NO_CACHE, persist_result=False)
def lekkende_taak() -> None:
    logger = get_run_logger()
    logger.info("taak: melder %s, iban %s, casus C-7K3M9QXD", EMAIL, IBAN)
    try:
        raise RuntimeError(f"onverwacht bij bsn {SENTINEL_BSN}")
    except RuntimeError:
        logger.exception("taak mislukt voor 5911 AA")


@flow(name="redactie-proef", persist_result=False)
def lekkende_flow() -> None:
    logger = get_run_logger()
    logger.info("flow: bsn %s, tel %s, uiterlijk 11-12-2026, 3 stappen", SENTINEL_BSN, TELEFOON)
    lekkende_taak()


@pytest.mark.prefect
def test_logs_reach_the_prefect_server_masked(prefect_server: str) -> None:
    installeer()  # as importing flows/ or tasks/ does
    state = lekkende_flow(return_state=True)
    assert state.is_completed()
    run_id = state.state_details.flow_run_id
    assert isinstance(run_id, UUID)

    APILogWorker.instance().drain()
    with get_client(sync_client=True) as client:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
    tekst = "\n".join(log.message for log in logs)

    # The run's own lines arrived (with what is not personal data intact)...
    assert "flow: bsn [verwijderd], tel [verwijderd], uiterlijk 11-12-2026, 3 stappen" in tekst
    assert "taak: melder [verwijderd], iban [verwijderd], casus C-7K3M9QXD" in tekst
    assert "taak mislukt voor [verwijderd]" in tekst
    assert "RuntimeError: onverwacht bij bsn [verwijderd]" in tekst, "the traceback went to Prefect, masked"
    # ...and nothing of the personal data did.
    for waarde in (SENTINEL_BSN, TELEFOON, EMAIL, IBAN, "5911 AA"):
        assert waarde not in tekst

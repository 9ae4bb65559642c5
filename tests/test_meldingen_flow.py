"""The delivery flow in Prefect: a short blip is absorbed by task retries, configuration errors fail the run
clearly, and a transition flow delivers what it wrote as its last step."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from aanpak import uitvoering
from aanpak.config import instellingen
from aanpak.meldingen.inhoud import kenmerk_van
from aanpak.omgeving import Omgeving, nu_utc, zet_standaard
from aanpak.store.schema import Bezorging, Melding
from flows.meldingen_versturen import meldingen_versturen
from models.signaal import lees_signaal
from tests.gegevens import registreer, signaal_document, signaleer
from tests.ontvangers import HttpOntvanger

pytestmark = pytest.mark.prefect


@pytest.fixture
def http() -> Iterator[HttpOntvanger]:
    ontvanger = HttpOntvanger().start()
    yield ontvanger
    ontvanger.stop()


@pytest.fixture
def echte_tijd(omg: Omgeving, monkeypatch: pytest.MonkeyPatch) -> Iterator[Omgeving]:
    """Prefect's retry delays are wall-clock time, so the outbox must use it too."""
    monkeypatch.setenv("AANPAK_PREFECT", "true")
    monkeypatch.setenv("AANPAK_DEPLOYMENTS", "false")
    instellingen.cache_clear()
    echt = dataclasses.replace(omg, klok=nu_utc)
    zet_standaard(echt)
    yield echt
    zet_standaard(None)
    instellingen.cache_clear()


def configureer(monkeypatch: pytest.MonkeyPatch, pad: Path, tekst: str) -> None:
    pad.write_text(tekst, encoding="utf-8")
    monkeypatch.setenv("AANPAK_KANALEN", str(pad))


def kenmerken(omg: Omgeving) -> list[str]:
    with omg.uow() as sessie:
        return sorted(kenmerk_van(m) for m in sessie.scalars(select(Melding)))


def test_a_short_outage_is_absorbed_by_task_retries(
    prefect_server: str, echte_tijd: Omgeving, http: HttpOntvanger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configureer(monkeypatch, tmp_path / "k.yaml", f'urls:\n  - "{http.url}":\n      tag: alle\n')
    signaleer(echte_tijd)
    verwacht = kenmerken(echte_tijd)
    http.weiger = 1  # the first request gets a 503
    state = meldingen_versturen(return_state=True)
    assert state.is_completed(), state.message
    assert sorted(s or "" for s in http.sleutels) == verwacht
    with echte_tijd.uow() as sessie:
        assert set(sessie.scalars(select(Bezorging.status))) == {"verzonden"}
        assert max(sessie.scalars(select(Bezorging.pogingen))) == 2  # delivered by the retried task, same run


def test_a_broken_configuration_or_missing_role_fails_the_run(
    prefect_server: str, echte_tijd: Omgeving, http: HttpOntvanger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configureer(monkeypatch, tmp_path / "kapot.yaml", "urls:\n  - json://x: [\n")
    state = meldingen_versturen(return_state=True)
    assert state.is_failed()
    assert "kapot.yaml" in (state.message or "")
    assert "geen geldige YAML" in (state.message or "")

    configureer(
        monkeypatch,
        tmp_path / "half.yaml",
        f'urls:\n  - "{http.url}":\n      tag: school-de-wissel, school.zorgcoordinator\n',
    )
    signaleer(echte_tijd)
    state = meldingen_versturen(return_state=True)
    assert state.is_failed()
    assert state.name == "Kanaal ontbreekt"
    assert "school.teamleider" in (state.message or "")
    assert http.sleutels  # everyone else was served


def test_a_transition_delivers_as_its_last_step(
    prefect_server: str, echte_tijd: Omgeving, http: HttpOntvanger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configureer(monkeypatch, tmp_path / "k.yaml", f'urls:\n  - "{http.url}":\n      tag: alle\n')
    geregistreerd = registreer(echte_tijd, lees_signaal(signaal_document()))
    uitvoering.na_signaal(echte_tijd, geregistreerd.signaal_ref)
    verwacht = kenmerken(echte_tijd)
    assert verwacht
    assert sorted(s or "" for s in http.sleutels) == verwacht

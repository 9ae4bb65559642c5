"""The demo keeps to its own data folder: a demo that stops midway leaves nothing in the real store.

The demo's clock runs ahead of today; were its half case in the real store, recovery would later turn its
future-dated signals into cases for the fictitious child. Runs the demo's own code on a real SQLite store under
a temporary data folder, without Prefect (Prefect is not what is tested here), and forces a failure midway.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aanpak import demo
from aanpak.config import instellingen
from aanpak.omgeving import bouw, zet_standaard
from aanpak.store.db import maak_engine
from aanpak.store.schema import Casus, Signaal
from aanpak.usecases import herstel, overdracht
from models.fouten import DomeinFout


@pytest.fixture
def echte_map(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The user's own data folder (the embedded default), with a configured channel file the demo must ignore."""
    for naam in list(os.environ):
        if naam.startswith("AANPAK_"):
            monkeypatch.delenv(naam)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("AANPAK_DATA_DIR", str(data_dir))
    monkeypatch.setenv("AANPAK_PREFECT", "false")
    monkeypatch.setenv("AANPAK_KANALEN", str(tmp_path / "bestaat-niet.yaml"))
    monkeypatch.chdir(tmp_path)
    instellingen.cache_clear()
    zet_standaard(None)
    yield data_dir
    zet_standaard(None)
    instellingen.cache_clear()


def _tel(url: str, model: type[Signaal] | type[Casus]) -> int:
    engine = maak_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        engine.dispose()


def test_a_demo_that_fails_midway_leaves_nothing_recovery_could_pick_up(
    echte_map: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    echt = bouw()  # the real store exists before the demo (and stays empty)
    echt.engine.dispose()

    def weigert(*args: object, **kwargs: object) -> None:
        raise DomeinFout("gedwongen fout halverwege de demo")

    monkeypatch.setattr(overdracht, "accepteer_overdracht", weigert)  # the demo calls it through the module
    with pytest.raises(DomeinFout, match="gedwongen"):
        demo.main()

    # The settings are the user's again.
    assert os.environ["AANPAK_DATA_DIR"] == str(echte_map)
    assert os.environ["AANPAK_KANALEN"].endswith("bestaat-niet.yaml")
    assert instellingen().data_dir == echte_map
    # The demo did get halfway — in its own folder, with signals dated ahead of today.
    demo_url = f"sqlite:///{echte_map / demo.DEMOMAP / 'aanpak.db'}"
    assert _tel(demo_url, Signaal) == 2
    assert _tel(demo_url, Casus) == 1
    # The real store has nothing: no signal, no case, nothing for recovery, however late it looks.
    assert _tel(instellingen().db_url(), Signaal) == 0
    assert _tel(instellingen().db_url(), Casus) == 0
    omg = bouw()
    try:
        assert herstel.onafgemaakt(omg, ouder_dan=timedelta(0)) == herstel.Onafgemaakt(signalen=[], besluiten=[])
    finally:
        omg.engine.dispose()
    assert not (echte_map / "postvak").exists()  # its notifications went to the demo's own mailbox

    # The next demo starts afresh: the stopped demo's case is gone from the demo folder (one case, not two).
    with pytest.raises(DomeinFout, match="gedwongen"):
        demo.main()
    assert _tel(demo_url, Casus) == 1
    assert _tel(instellingen().db_url(), Casus) == 0

"""Task workers unpickle their parameters from the task-scheduling storage: a storage block (editable by every
Prefect API user) is refused on both sides, so nobody with Prefect access can make a worker run their code."""

from __future__ import annotations

import pytest
from prefect.settings import temporary_settings

from flows import overgangen, taakworker


def test_a_local_folder_is_accepted() -> None:
    with temporary_settings(updates={"tasks.scheduling.default_storage_block": None}):
        assert overgangen.opslagfout() is None


def test_a_storage_block_is_refused_by_the_worker(caplog: pytest.LogCaptureFixture) -> None:
    with temporary_settings(updates={"tasks.scheduling.default_storage_block": "remote-file-system/aanvaller"}):
        assert overgangen.opslagfout() is not None
        assert taakworker.main([]) == 2  # before it subscribes, opens the store or loads a key
    assert "PREFECT_LOCAL_STORAGE_PATH" in caplog.text

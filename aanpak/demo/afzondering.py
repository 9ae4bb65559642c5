"""The demo's own data folder ``<data dir>/demo/``: its own SQLite store, keys and mailbox, emptied at every start.

The demo never uses ``AANPAK_DATABASE_URL`` or ``AANPAK_KANALEN`` and never starts deployment runs, and shares
only the Prefect server of the real settings (``PREFECT_API_URL``, else the local one under the real data
folder). So a demo that stops midway leaves its future-dated signals where no recovery of the real store
(``aanpak herstel``, the bewaking) can find them, and sends nothing to configured channels.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aanpak.config import instellingen
from aanpak.omgeving import zet_standaard
from models.fouten import DomeinFout

#: The demo's own folder under the data folder (fictitious data only: emptied at every start).
DEMOMAP = "demo"
#: The settings the demo sets aside: its store is always the embedded SQLite file, its mailbox the local one.
_WEGGEZET = ("AANPAK_DATABASE_URL", "AANPAK_KANALEN")


class PrefectOnbereikbaar(DomeinFout):
    """The demo cannot reach (or start) Prefect; nothing has been stored yet."""


@contextmanager
def _omgevingsvariabelen(waarden: dict[str, str | None]) -> Iterator[None]:
    """Set (or with None remove) environment variables for this block; restored after, also on failure."""
    vorige = {k: os.environ.get(k) for k in waarden}
    try:
        for k, v in waarden.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        instellingen.cache_clear()
        yield
    finally:
        for k, v in vorige.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        instellingen.cache_clear()


@contextmanager
def _zelfde_prefect() -> Iterator[None]:
    """The Prefect server of the real settings, resolved before the data folder moves and checked up front.

    The settings are a context variable: the demo's server thread runs in a copy of this context, so its
    transitions use the same server and the demo's runs show in the same UI.
    """
    echt = instellingen()
    if not echt.prefect:
        yield
        return
    from prefect.settings import get_current_settings, temporary_settings

    from aanpak import prefect_lokaal

    api = get_current_settings().api
    if api.url:
        auth = api.auth_string.get_secret_value() if api.auth_string else None
        if not prefect_lokaal.gezond(api.url, auth, timeout=echt.prefect_bereikbaar_seconden):
            raise PrefectOnbereikbaar(
                "Prefect is niet bereikbaar op PREFECT_API_URL; de demo heeft nog niets vastgelegd"
            )
        yield
        return
    try:
        verbinding = prefect_lokaal.zorg_voor_server(echt)
    except prefect_lokaal.PrefectStartFout:
        raise PrefectOnbereikbaar("de lokale Prefect-server start niet; de demo heeft nog niets vastgelegd") from None
    with temporary_settings(updates={"api.url": verbinding.api_url, "api.auth_string": verbinding.auth}):
        yield


@contextmanager
def afgezonderd() -> Iterator[Path]:
    """The demo's own data folder for this block (see the module docstring); yields it."""
    map_ = (instellingen().data_dir / DEMOMAP).resolve()
    with _zelfde_prefect():
        shutil.rmtree(map_, ignore_errors=True)  # a previous demo's fictitious case, stopped or not
        # In process, never as deployment runs: a worker would look for the demo's signals in the real store.
        waarden: dict[str, str | None] = {
            "AANPAK_DATA_DIR": str(map_),
            "AANPAK_DEPLOYMENTS": "false",
            **dict.fromkeys(_WEGGEZET),
        }
        with _omgevingsvariabelen(waarden):
            try:
                yield map_
            finally:
                zet_standaard(None)

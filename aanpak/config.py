"""Configuration from the environment (prefix ``AANPAK_``), with embedded defaults for a fresh machine.

The defaults keep everything under one data folder (``.aanpak/`` in the working directory): the SQLite case
store, the generated development keys and the local Prefect home. Production sets ``AANPAK_DATABASE_URL`` to
PostgreSQL and supplies keys from a secret store.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

STANDAARD_WERKPROCES = Path(__file__).parent / "definities" / "venlo.yaml"


class Instellingen(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AANPAK_", env_file=None, extra="ignore")

    #: Where the embedded default keeps its files (case store, dev keys, Prefect home).
    data_dir: Path = Field(default=Path(".aanpak"))
    #: SQLAlchemy URL; empty means the SQLite file ``<data_dir>/aanpak.db``.
    database_url: str = ""
    #: The werkproces definition in force for new cases.
    werkproces: Path = STANDAARD_WERKPROCES
    #: Encryption keys for personal data: ``id:base64key`` separated by commas, newest first.
    #: Empty on the embedded default: a key file is generated under the data folder.
    sleutels: SecretStr = SecretStr("")
    #: File holding the keys in the same format (e.g. a mounted secret); used when ``sleutels`` is empty.
    sleutelbestand: Path | None = None
    #: Secret for the keyed hash (HMAC) of BSN and name/birth date used for matching.
    hmac_sleutel: SecretStr = SecretStr("")
    #: Run Prefect flows for transitions (in process on the embedded default, or as deployment runs when
    #: ``deployments`` is true and PREFECT_API_URL points at a server with a worker).
    prefect: bool = True
    deployments: bool = False
    #: The embedded default's local Prefect server (aanpak/prefect_lokaal.py): its port (0: any free port; a
    #: busy port also falls back to a free one), how long to wait for it to start, and how long any Prefect API
    #: may take to answer its health check before a transition is left to recovery.
    prefect_poort: int = 4200
    prefect_start_seconden: float = 180.0
    prefect_bereikbaar_seconden: float = 10.0

    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'aanpak.db').resolve()}"


@lru_cache(maxsize=1)
def instellingen() -> Instellingen:
    return Instellingen()

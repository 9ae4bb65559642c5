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
STANDAARD_ORGANISATIES = Path(__file__).parent / "definities" / "organisaties.yaml"


class Instellingen(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AANPAK_", env_file=None, extra="ignore")

    #: Where the embedded default keeps its files (case store, dev keys, Prefect home).
    data_dir: Path = Field(default=Path(".aanpak"))
    #: SQLAlchemy URL; empty means the SQLite file ``<data_dir>/aanpak.db``.
    database_url: str = ""
    #: The werkproces definition in force for new cases.
    werkproces: Path = STANDAARD_WERKPROCES
    #: The register of concrete partner organisations (not versioned with the werkproces: read at start).
    organisaties: Path = STANDAARD_ORGANISATIES
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
    #: Submit transitions as Prefect background tasks to long-lived task workers (``flows/taakworker.py``);
    #: takes precedence over ``deployments`` (docs/operations.md, "Overgangen op workers").
    taakworkers: bool = False
    #: Trusted identity providers (docs/toegang.md); absent: the development issuer (embedded default).
    toegang: Path | None = None
    #: Allow the development issuer on a database other than SQLite (never in production).
    ontwikkeluitgever_toestaan: bool = False
    #: The aanpak server's base URL (the development issuer lives under it).
    server_url: str = "http://127.0.0.1:8000"
    #: The development issuer's ``iss``; empty: ``<server_url>/ontwikkel-idp``.
    ontwikkeluitgever_url: str = ""
    #: The embedded default's local Prefect server (aanpak/prefect_lokaal.py): its port (0: any free port; a
    #: busy port also falls back to a free one), how long to wait for it to start, and how long any Prefect API
    #: may take to answer its health check before a transition is left to recovery.
    prefect_poort: int = 4200
    prefect_start_seconden: float = 180.0
    prefect_bereikbaar_seconden: float = 10.0

    def db_url(self) -> str:
        return self.database_url or self._ingebedde_url()

    def _ingebedde_url(self) -> str:
        return f"sqlite:///{(self.data_dir / 'aanpak.db').resolve()}"

    @property
    def ingebed(self) -> bool:
        """The embedded default (the SQLite file under the data folder): the only store that may generate keys."""
        return not self.database_url or self.database_url == self._ingebedde_url()


@lru_cache(maxsize=1)
def instellingen() -> Instellingen:
    return Instellingen()

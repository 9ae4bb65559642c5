"""Notification settings from the environment (prefix ``AANPAK_``), with defaults that work out of the box."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MeldingInstellingen(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AANPAK_", env_file=None, extra="ignore")

    #: apprise YAML file with the partners' channels; unset means the embedded default (a local mailbox folder).
    kanalen: Path | None = None
    #: Where an authorised person reads a case (``<url>/<casus_ref>``); empty: the CLI command is named instead.
    inzage_url: str = ""
    #: Attempts per channel before a delivery is ``mislukt`` and the case's coordinator is told.
    meldingen_max_pogingen: int = Field(default=24, ge=1)
    #: Who operates the channels, as ``rol@organisatie`` (e.g. ``gemeente.procesregisseur@gemeente-venlo``);
    #: told of failed deliveries with the case's coordinator and the unreached organisation's lead.
    meldingen_beheerder: str = ""
    #: Outbox backoff: ``basis * 2**(attempt-1)`` seconds, capped, with jitter (half to full of that).
    meldingen_backoff_basis: float = Field(default=2.0, gt=0)
    meldingen_backoff_max: float = Field(default=3600.0, gt=0)
    #: Connect and read timeout of every send, so a slow receiver cannot hold up the others for long.
    meldingen_timeout: float = Field(default=10.0, gt=0)
    #: Sends in flight at once (threads) and rows claimed per round.
    meldingen_parallel: int = Field(default=8, ge=1)
    meldingen_batch: int = Field(default=200, ge=1)
    #: How long a claimed row is reserved for the claiming run; after that a crashed run's rows are resent.
    meldingen_claim: float = Field(default=300.0, gt=0)


def _standaard(veld: str) -> Any:
    """A setting's default as declared above: each default is written once."""
    return MeldingInstellingen.model_fields[veld].default


@dataclass(frozen=True)
class Beleid:
    """The delivery policy one run works with (tests build their own); defaults are the settings' defaults."""

    max_pogingen: int = _standaard("meldingen_max_pogingen")
    backoff_basis: float = _standaard("meldingen_backoff_basis")
    backoff_max: float = _standaard("meldingen_backoff_max")
    timeout: float = _standaard("meldingen_timeout")
    parallel: int = _standaard("meldingen_parallel")
    batch: int = _standaard("meldingen_batch")
    claim: float = _standaard("meldingen_claim")
    inzage_url: str = _standaard("inzage_url")
    #: The operator's role key, told (with the organisation's lead) when a delivery fails; empty: no operator.
    beheerder: str = _standaard("meldingen_beheerder")

    @classmethod
    def uit(cls, inst: MeldingInstellingen) -> Beleid:
        return cls(
            max_pogingen=inst.meldingen_max_pogingen,
            backoff_basis=inst.meldingen_backoff_basis,
            backoff_max=inst.meldingen_backoff_max,
            timeout=inst.meldingen_timeout,
            parallel=inst.meldingen_parallel,
            batch=inst.meldingen_batch,
            claim=inst.meldingen_claim,
            inzage_url=inst.inzage_url,
            beheerder=inst.meldingen_beheerder,
        )


def meldinginstellingen() -> MeldingInstellingen:
    """Read fresh each time: a delivery run picks up a changed setting without a restart."""
    return MeldingInstellingen()


def beleid() -> Beleid:
    return Beleid.uit(meldinginstellingen())

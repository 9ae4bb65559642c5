"""The vocabularies of the outbox: notification kinds and the statuses of a message and of one delivery."""

from __future__ import annotations

from enum import StrEnum


class Meldingsoort(StrEnum):
    """The kinds of notification (docs/meldingen.md); each has its own Dutch template."""

    STAP_GESTART = "stap_gestart"
    STAP_AFGEROND = "stap_afgerond"
    MATCH = "match"
    OVERDRACHT_AANGEBODEN = "overdracht_aangeboden"
    OVERDRACHT_GEACCEPTEERD = "overdracht_geaccepteerd"
    TE_LAAT = "te_laat"
    TERMIJN_GEWIJZIGD = "termijn_gewijzigd"
    HERINNERING = "herinnering"
    ESCALATIE = "escalatie"
    STAGNATIE = "stagnatie"
    REVIEW_GEMIST = "review_gemist"
    OPSCHORTING_OVER_MAXIMUM = "opschorting_over_maximum"
    BEZORGING_MISLUKT = "bezorging_mislukt"


class MeldingStatus(StrEnum):
    """An outbox row: waiting to be sent, being delivered per channel, sent, or given up."""

    WACHTEND = "wachtend"
    BEZORGEN = "bezorgen"
    VERZONDEN = "verzonden"
    MISLUKT = "mislukt"


class BezorgingStatus(StrEnum):
    """One delivery of an outbox row over one channel."""

    WACHTEND = "wachtend"
    VERZONDEN = "verzonden"
    MISLUKT = "mislukt"

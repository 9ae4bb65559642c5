"""The case store: the system of record for cases, steps, decisions, handoffs, history and the outbox.

Personal data lives only in encrypted columns (``*_versleuteld``) of ``jeugdige`` and ``signaal`` (and decision
notes); every other table holds opaque references, role keys and non-personal decisions, so it can be read
by managers, reports and Prefect without a key. Optimistic version columns make concurrent decisions fail
clearly instead of silently overwriting each other.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models.casus import CasusStatus, OverdrachtStatus, StapStatus
from models.meldingen import BezorgingStatus, MeldingStatus

NAAMGEVING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out — also on SQLite, which forgets the zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime in the case store")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


E = TypeVar("E", bound=StrEnum)


class Woordenlijst(TypeDecorator[E]):
    """A status column typed by its enum: stored as the member's plain string (the same text as before), read
    back as the member. A plain ``VARCHAR`` in the database, so no migration and no check constraint."""

    impl = String(16)
    cache_ok = True

    def __init__(self, soort: type[E]) -> None:
        super().__init__()
        self.soort = soort

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.soort(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.soort(value)


class Basis(DeclarativeBase):
    metadata = MetaData(naming_convention=NAAMGEVING)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


class WerkprocesVersie(Basis):
    """A snapshot of each definition version used by a case: running cases keep theirs."""

    __tablename__ = "werkproces_versie"
    __table_args__ = (UniqueConstraint("key", "versie"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    versie: Mapped[str] = mapped_column(String(32))
    inhoud_hash: Mapped[str] = mapped_column(String(64))
    tekst: Mapped[str] = mapped_column(Text)
    geladen_op: Mapped[datetime]


class Jeugdige(Basis):
    """The only home of a youth's identity: encrypted, plus keyed hashes for matching."""

    __tablename__ = "jeugdige"
    __table_args__ = (
        # Two registrations of one new youth at once cannot create two identities (the second retries).
        Index(
            "uq_jeugdige_bsn_hash",
            "bsn_hash",
            unique=True,
            sqlite_where=text("bsn_hash IS NOT NULL"),
            postgresql_where=text("bsn_hash IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    identiteit_versleuteld: Mapped[bytes] = mapped_column(LargeBinary)
    bsn_hash: Mapped[str | None] = mapped_column(String(64))
    naam_hash: Mapped[str] = mapped_column(String(64), index=True)
    aangemaakt_op: Mapped[datetime]


class Casus(Basis):
    __tablename__ = "casus"
    __table_args__ = (
        # One open case per youth, enforced by the database on SQLite and PostgreSQL alike.
        Index(
            "uq_casus_open_per_jeugdige",
            "jeugdige_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(16), unique=True)
    jeugdige_id: Mapped[int] = mapped_column(ForeignKey("jeugdige.id"))
    werkproces_id: Mapped[int] = mapped_column(ForeignKey("werkproces_versie.id"))
    status: Mapped[CasusStatus] = mapped_column(Woordenlijst(CasusStatus), index=True)
    ave_niveau: Mapped[int] = mapped_column(Integer)
    casusregie: Mapped[str | None] = mapped_column(String(64))
    procesregie: Mapped[str | None] = mapped_column(String(64))
    bestuurlijk: Mapped[str | None] = mapped_column(String(64))
    #: The concrete organisations (register keys) of the regie holders above.
    casusregie_organisatie: Mapped[str | None] = mapped_column(String(64))
    procesregie_organisatie: Mapped[str | None] = mapped_column(String(64))
    bestuurlijk_organisatie: Mapped[str | None] = mapped_column(String(64))
    acuut: Mapped[bool] = mapped_column(Boolean, default=False)
    geopend_op: Mapped[datetime]
    gesloten_op: Mapped[datetime | None]
    versie: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": versie}


class Signaal(Basis):
    __tablename__ = "signaal"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(16), unique=True)
    jeugdige_id: Mapped[int] = mapped_column(ForeignKey("jeugdige.id"), index=True)
    casus_id: Mapped[int | None] = mapped_column(ForeignKey("casus.id"), index=True)
    bron_rol: Mapped[str] = mapped_column(String(64))
    #: The werkproces organisation TYPE of the melder (reports count per partner type).
    bron_organisatie: Mapped[str] = mapped_column(String(64))
    #: The concrete organisation (register key) the melder acted for.
    melder_organisatie: Mapped[str | None] = mapped_column(String(64), index=True)
    categorieen: Mapped[list[str]]
    acuut: Mapped[bool] = mapped_column(Boolean)
    leeftijdsgroep: Mapped[str] = mapped_column(String(8))
    wijk: Mapped[str | None] = mapped_column(String(60))
    zorg_versleuteld: Mapped[bytes] = mapped_column(LargeBinary)
    melder_versleuteld: Mapped[bytes] = mapped_column(LargeBinary)
    ontvangen_op: Mapped[datetime]
    verwerkt_op: Mapped[datetime | None] = mapped_column(index=True)
    #: How the youth was recognised at registration (bsn / naam_geboortedatum); None for a new youth.
    gematcht_op: Mapped[str | None] = mapped_column(String(24))


class Match(Basis):
    """A signal joined an open case (Verwijsindex-style): which partners are involved, for the match message."""

    __tablename__ = "match"

    id: Mapped[int] = mapped_column(primary_key=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id"), index=True)
    signaal_id: Mapped[int] = mapped_column(ForeignKey("signaal.id"), unique=True)
    op: Mapped[str] = mapped_column(String(24))
    betrokken_rollen: Mapped[list[str]]
    moment: Mapped[datetime]


class StapInstantie(Basis):
    __tablename__ = "stap"
    __table_args__ = (
        UniqueConstraint("casus_id", "stap_key", "volgnummer"),
        # The bewaking's queries: open steps whose next moment has passed.
        Index("ix_stap_status_termijn", "status", "termijn_einde"),
        Index("ix_stap_status_herinnering", "status", "herinnering_op"),
        Index("ix_stap_status_escalatie", "status", "volgende_escalatie_op"),
        Index("ix_stap_status_stagnatie", "status", "stagnatie_op"),
        Index("ix_stap_status_review", "status", "review_op"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id"), index=True)
    stap_key: Mapped[str] = mapped_column(String(64))
    volgnummer: Mapped[int] = mapped_column(Integer)
    status: Mapped[StapStatus] = mapped_column(Woordenlijst(StapStatus))
    eigenaar_rol: Mapped[str] = mapped_column(String(64), index=True)
    #: The concrete organisation of the owner, resolved when the step starts (models/binding.py).
    eigenaar_organisatie: Mapped[str | None] = mapped_column(String(64), index=True)
    acuut: Mapped[bool] = mapped_column(Boolean, default=False)
    gestart_op: Mapped[datetime]
    termijn_einde: Mapped[datetime]
    opgeschort_op: Mapped[datetime | None]
    opschortreden: Mapped[str | None] = mapped_column(String(200))
    opgeschort_werkdagen: Mapped[int] = mapped_column(Integer, default=0)
    verlengd_met: Mapped[int] = mapped_column(Integer, default=0)
    afgerond_op: Mapped[datetime | None]
    uitkomst: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(128))
    #: The decision that started this step (None for the intake): makes applying a decision idempotent.
    #: (No foreign key: besluit already points at stap, and a cycle would need ALTER on SQLite.)
    gestart_door_besluit_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # -- bewaking: moments computed when the term is set, so a pass only scans what is due (indexed) --
    herinnering_op: Mapped[datetime | None]
    herinnering_gemeld_op: Mapped[datetime | None]
    #: How many levels of the step's escalation ladder have fired.
    escalatie_niveau: Mapped[int] = mapped_column(Integer, default=0)
    volgende_escalatie_op: Mapped[datetime | None]
    stagnatie_op: Mapped[datetime | None]
    stagnatie_gemeld_op: Mapped[datetime | None]
    #: Monitoring: when the next review by the casusregie is due (steps with ``monitoring`` only).
    review_op: Mapped[datetime | None]
    laatste_review_op: Mapped[datetime | None]
    versie: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": versie}


class Besluit(Basis):
    """A coordinator's decision at a human step; applied by the step flow (or recovery) exactly once."""

    __tablename__ = "besluit"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(16), unique=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id"), index=True)
    stap_id: Mapped[int] = mapped_column(ForeignKey("stap.id"), unique=True)
    uitkomst: Mapped[str] = mapped_column(String(64))
    ave_niveau: Mapped[int | None] = mapped_column(Integer)
    casusregie: Mapped[str | None] = mapped_column(String(64))
    procesregie: Mapped[str | None] = mapped_column(String(64))
    #: The organisations the decision named (or resolved) for new regie holders and for steps it opens.
    casusregie_organisatie: Mapped[str | None] = mapped_column(String(64))
    procesregie_organisatie: Mapped[str | None] = mapped_column(String(64))
    eigenaar_organisatie: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(128))
    actor_rol: Mapped[str] = mapped_column(String(64))
    actor_organisatie: Mapped[str | None] = mapped_column(String(64))
    toelichting_versleuteld: Mapped[bytes | None] = mapped_column(LargeBinary)
    besloten_op: Mapped[datetime]
    toegepast_op: Mapped[datetime | None] = mapped_column(index=True)


class Overdracht(Basis):
    """Warme overdracht of casus- or procesregie: effective only when the receiving role accepts."""

    __tablename__ = "overdracht"
    __table_args__ = (Index("ix_overdracht_status_escalatie", "status", "volgende_escalatie_op"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(16), unique=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id"), index=True)
    besluit_id: Mapped[int | None] = mapped_column(ForeignKey("besluit.id"))
    soort: Mapped[str] = mapped_column(String(16))
    van_rol: Mapped[str | None] = mapped_column(String(64))
    naar_rol: Mapped[str] = mapped_column(String(64), index=True)
    van_organisatie: Mapped[str | None] = mapped_column(String(64))
    naar_organisatie: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[OverdrachtStatus] = mapped_column(Woordenlijst(OverdrachtStatus), index=True)
    aangeboden_op: Mapped[datetime]
    termijn_einde: Mapped[datetime]
    beantwoord_op: Mapped[datetime | None]
    beantwoord_door: Mapped[str | None] = mapped_column(String(128))
    escalatie_niveau: Mapped[int] = mapped_column(Integer, default=0)
    volgende_escalatie_op: Mapped[datetime | None]
    stagnatie_op: Mapped[datetime | None]
    stagnatie_gemeld_op: Mapped[datetime | None]
    versie: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": versie}


class Signalering(Basis):
    """Each reminder, escalation level and stagnation signal, exactly once (unique key), for accountability."""

    __tablename__ = "signalering"

    id: Mapped[int] = mapped_column(primary_key=True)
    sleutel: Mapped[str] = mapped_column(String(160), unique=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id"), index=True)
    stap_id: Mapped[int | None] = mapped_column(ForeignKey("stap.id"), index=True)
    overdracht_id: Mapped[int | None] = mapped_column(ForeignKey("overdracht.id"), index=True)
    soort: Mapped[str] = mapped_column(String(16))  # herinnering | escalatie | stagnatie
    niveau: Mapped[int] = mapped_column(Integer, default=0)
    naar_rol: Mapped[str] = mapped_column(String(64), index=True)
    naar_organisatie: Mapped[str | None] = mapped_column(String(64))
    #: The role responsible at the time (for "who was late" figures).
    eigenaar_rol: Mapped[str | None] = mapped_column(String(64))
    eigenaar_organisatie: Mapped[str | None] = mapped_column(String(64))
    moment: Mapped[datetime]


class Historie(Basis):
    """Append-only case history: what happened, when, by whom (role/handle), never personal data."""

    __tablename__ = "historie"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id"), index=True)
    moment: Mapped[datetime]
    soort: Mapped[str] = mapped_column(String(32))
    stap_key: Mapped[str | None] = mapped_column(String(64))
    rol: Mapped[str | None] = mapped_column(String(64))
    organisatie: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(128))
    gegevens: Mapped[dict[str, Any]]
    #: Unique per event, so that replaying a transition cannot write the same entry twice.
    sleutel: Mapped[str] = mapped_column(String(160), unique=True)


class Melding(Basis):
    """Notification outbox: written in the same transaction as the state change that caused it."""

    __tablename__ = "melding"
    __table_args__ = (Index("ix_melding_status_volgende", "status", "volgende_poging"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sleutel: Mapped[str] = mapped_column(String(200), unique=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id"), index=True)
    soort: Mapped[str] = mapped_column(String(32))
    ontvanger_rol: Mapped[str] = mapped_column(String(64), index=True)
    #: The concrete organisation told: channels and the mailbox folder are per organisation.
    ontvanger_organisatie: Mapped[str | None] = mapped_column(String(64), index=True)
    stap_key: Mapped[str | None] = mapped_column(String(64))
    termijn_einde: Mapped[datetime | None]
    gegevens: Mapped[dict[str, Any]]
    status: Mapped[MeldingStatus] = mapped_column(Woordenlijst(MeldingStatus), default=MeldingStatus.WACHTEND)
    pogingen: Mapped[int] = mapped_column(Integer, default=0)
    volgende_poging: Mapped[datetime]
    laatste_fout: Mapped[str | None] = mapped_column(String(500))
    aangemaakt_op: Mapped[datetime]
    verzonden_op: Mapped[datetime | None]


class Verzoek(Basis):
    """Idempotency: a request key seen before returns its first answer and changes nothing."""

    __tablename__ = "verzoek"

    sleutel: Mapped[str] = mapped_column(String(160), primary_key=True)
    soort: Mapped[str] = mapped_column(String(32))
    resultaat: Mapped[dict[str, Any]]
    moment: Mapped[datetime]


class Bezorging(Basis):
    """Delivery of one outbox row over one channel: its own attempts, backoff and outcome.

    A role may have several channels (e-mail and a webhook); each is retried and recorded on its own, so one
    channel that is down neither blocks nor repeats the others. ``kanaal`` is the channel's stable id from the
    channel configuration (tags and scheme), never its URL: URLs carry secrets.
    """

    __tablename__ = "bezorging"
    __table_args__ = (
        UniqueConstraint("melding_id", "kanaal"),
        # The delivery run's query: due rows by next attempt.
        Index("ix_bezorging_status_volgende", "status", "volgende_poging"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    melding_id: Mapped[int] = mapped_column(ForeignKey("melding.id"), index=True)
    kanaal: Mapped[str] = mapped_column(String(120))
    #: wachtend (due at ``volgende_poging``, or claimed until then), verzonden, mislukt.
    status: Mapped[BezorgingStatus] = mapped_column(Woordenlijst(BezorgingStatus))
    pogingen: Mapped[int] = mapped_column(Integer, default=0)
    #: How often an operator requeued it after ``mislukt`` (part of the failure notice's key).
    herkansingen: Mapped[int] = mapped_column(Integer, default=0)
    volgende_poging: Mapped[datetime]
    #: A fixed-vocabulary reason ("json: HTTP 503"): never a URL, a server's text or personal data.
    laatste_fout: Mapped[str | None] = mapped_column(String(200))
    aangemaakt_op: Mapped[datetime]
    verzonden_op: Mapped[datetime | None]


# -- privacy protocol ----------------------------------------------------------------------------------------


class Grondslag(Basis):
    """The lawful ground for sharing a case's personal data: a consent record or a legal-basis record.

    No partner sees personal data unless a ground that is in force covers it (recipient and categories). Consent
    records who gave it (by the youth's age: parents, parents and youth, or the youth); withdrawal ends it, and
    the record itself stays for accountability.
    """

    __tablename__ = "grondslag"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(16), unique=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id"), index=True)
    #: toestemming | wettelijke_taak | wettelijke_plicht | vitaal_belang | meldrecht | conflict_van_plichten
    soort: Mapped[str] = mapped_column(String(32))
    #: For consent: who gave it (ouders, jeugdige); empty for a legal basis.
    gegeven_door: Mapped[list[str]]
    #: Role or organisation keys it covers; empty means every partner involved in the case.
    ontvangers: Mapped[list[str]]
    #: Data categories it covers; empty means every category the recipient's need-to-know allows.
    categorieen: Mapped[list[str]]
    doel: Mapped[str] = mapped_column(String(64))
    #: Free text (the article invoked, the conversation with the parents): may be personal, so encrypted.
    toelichting_versleuteld: Mapped[bytes | None] = mapped_column(LargeBinary)
    vastgelegd_door: Mapped[str] = mapped_column(String(128))
    vastgelegd_rol: Mapped[str] = mapped_column(String(64))
    vastgelegd_organisatie: Mapped[str | None] = mapped_column(String(64))
    vastgelegd_op: Mapped[datetime]
    geldig_tot: Mapped[datetime | None]
    ingetrokken_op: Mapped[datetime | None]
    ingetrokken_door: Mapped[str | None] = mapped_column(String(128))
    versie: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": versie}


class Verwerking(Basis):
    """The disclosure log (after Logius' Logboek Dataverwerkingen): every read, share or refusal, hash-chained.

    Append-only: each entry carries the hash of the one before it and its own hash over its fields, and
    ``logboek_kop`` holds the newest hash, so a changed, inserted or deleted entry breaks the chain. It holds
    references, roles and category keys only, and outlives the case (``casus_ref`` is no foreign key), so an
    erased case still shows who saw what.
    """

    __tablename__ = "verwerking"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    volgnummer: Mapped[int] = mapped_column(Integer, unique=True)
    moment: Mapped[datetime]
    casus_ref: Mapped[str | None] = mapped_column(String(16), index=True)
    #: inzien | export | correctie | beperking | beperking_opgeheven | wissen | grondslag | grondslag_ingetrokken
    handeling: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(128))
    rol: Mapped[str] = mapped_column(String(64))
    organisatie: Mapped[str | None] = mapped_column(String(64))
    doel: Mapped[str] = mapped_column(String(64))
    #: The grounds (G-… refs, or ``eigen_inbreng`` for what the partner itself brought in) the disclosure used.
    grondslagen: Mapped[list[str]]
    #: verstrekt | gedeeltelijk | geweigerd | vastgelegd
    uitkomst: Mapped[str] = mapped_column(String(16))
    categorieen: Mapped[list[str]]
    geweigerd: Mapped[list[str]]
    #: A fixed-vocabulary reason for a refusal or withheld category, never free text.
    reden: Mapped[str | None] = mapped_column(String(64))
    vorige_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class LogboekKop(Basis):
    """The head of the disclosure log's hash chain (one row): newest hash, count, and the start after pruning."""

    __tablename__ = "logboek_kop"

    id: Mapped[int] = mapped_column(primary_key=True)
    laatste_hash: Mapped[str] = mapped_column(String(64))
    laatste_volgnummer: Mapped[int] = mapped_column(Integer)
    #: ``vorige_hash`` of the oldest entry kept (entries before it were pruned under the retention term).
    begin_hash: Mapped[str] = mapped_column(String(64))
    begin_volgnummer: Mapped[int] = mapped_column(Integer)
    #: The first entry keyed with the server's log key; older entries keep the unkeyed chain (migration 0007).
    sleutel_vanaf: Mapped[int | None] = mapped_column(Integer)
    #: HMAC of the head's fields with the server's log key: truncating or moving the start shows without it.
    kop_mac: Mapped[str | None] = mapped_column(String(64))


class Beperking(Basis):
    """Restriction of processing (art. 18 AVG): while in force, nobody is shown the youth's personal data."""

    __tablename__ = "beperking"

    id: Mapped[int] = mapped_column(primary_key=True)
    jeugdige_id: Mapped[int] = mapped_column(ForeignKey("jeugdige.id"), index=True)
    #: juistheid_betwist | onrechtmatig | rechtsvordering | bezwaar
    reden: Mapped[str] = mapped_column(String(32))
    vastgelegd_door: Mapped[str] = mapped_column(String(128))
    vastgelegd_op: Mapped[datetime]
    opgeheven_op: Mapped[datetime | None]
    opgeheven_door: Mapped[str | None] = mapped_column(String(128))


class Correctie(Basis):
    """A correction of the youth's identity (art. 16 AVG): the previous version is kept, encrypted."""

    __tablename__ = "correctie"

    id: Mapped[int] = mapped_column(primary_key=True)
    jeugdige_id: Mapped[int] = mapped_column(ForeignKey("jeugdige.id"), index=True)
    #: The names of the fields that changed (never their values).
    velden: Mapped[list[str]]
    vorige_versleuteld: Mapped[bytes] = mapped_column(LargeBinary)
    door: Mapped[str] = mapped_column(String(128))
    rol: Mapped[str] = mapped_column(String(64))
    moment: Mapped[datetime]


# -- retention (bewaartermijnen) -----------------------------------------------------------------------------


class Bewaarplicht(Basis):
    """A legal hold on a case (juridische blokkade): while in force, neither its term nor an erasure request
    deletes it. The reason is a fixed key, never free text; lifting it keeps the row until the case goes."""

    __tablename__ = "bewaarplicht"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(16), unique=True)
    casus_id: Mapped[int] = mapped_column(ForeignKey("casus.id"), index=True)
    #: rechtsvordering | strafrechtelijk_onderzoek | wettelijke_bewaarplicht | klacht_of_bezwaar | toezichthouder
    reden: Mapped[str] = mapped_column(String(32))
    door: Mapped[str] = mapped_column(String(128))
    rol: Mapped[str] = mapped_column(String(64))
    vanaf: Mapped[datetime]
    #: The hold ends by itself at this moment (None: until lifted).
    tot: Mapped[datetime | None]
    opgeheven_op: Mapped[datetime | None]
    opgeheven_door: Mapped[str | None] = mapped_column(String(128))


class Verwijdering(Basis):
    """The deletion log: what was deleted, why, by whom, and what Prefect deleted — refs and counts only.

    No foreign keys: it outlives what it records. ``prefect_opgeschoond_op`` is NULL until the Prefect purge
    (flow runs, logs, artifacts) succeeded, so a purge that failed is retried by the next retention run.
    """

    __tablename__ = "verwijdering"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(16), unique=True)
    #: casus | signaal (a signal that never joined a case)
    soort: Mapped[str] = mapped_column(String(16))
    casus_ref: Mapped[str | None] = mapped_column(String(16), index=True)
    signaal_ref: Mapped[str | None] = mapped_column(String(16), index=True)
    #: bewaartermijn | verzoek_betrokkene
    grond: Mapped[str] = mapped_column(String(32))
    #: Rows deleted per table (``{"stap": 12, "jeugdige": 1, …}``).
    aantallen: Mapped[dict[str, Any]]
    door: Mapped[str] = mapped_column(String(128))
    rol: Mapped[str] = mapped_column(String(64))
    moment: Mapped[datetime] = mapped_column(index=True)
    #: What the Prefect purge deleted (``{"flow_runs": 15, "artefacten": 15}``).
    prefect: Mapped[dict[str, Any] | None]
    prefect_opgeschoond_op: Mapped[datetime | None] = mapped_column(index=True)


class WebSessie(Basis):
    """A browser session of the web app (aanpak/web), or a login under way; the cookie holds only its id.

    The row is found by the SHA-256 of the cookie's random id, so a copy of this table opens no session.
    A login under way (``persoon`` NULL) keeps the OIDC ``state``, ``nonce`` and PKCE verifier until the
    issuer sends the browser back; then it is replaced by a new row (a new id: no session fixation).
    No personal data: handles, organisation and role keys only.
    """

    __tablename__ = "websessie"

    id: Mapped[int] = mapped_column(primary_key=True)
    sleutel_hash: Mapped[str] = mapped_column(String(64), unique=True)
    persoon: Mapped[str | None] = mapped_column(String(128))
    organisatie: Mapped[str | None] = mapped_column(String(64))
    rollen: Mapped[list[str]]
    rol: Mapped[str | None] = mapped_column(String(64))
    uitgever: Mapped[str | None] = mapped_column(String(500))
    csrf: Mapped[str] = mapped_column(String(64))
    #: OIDC state, nonce and PKCE verifier of a login under way (NULL in a session).
    state: Mapped[str | None] = mapped_column(String(128))
    nonce: Mapped[str | None] = mapped_column(String(128))
    verifier: Mapped[str | None] = mapped_column(String(128))
    aangemaakt_op: Mapped[datetime]
    laatst_gebruikt_op: Mapped[datetime]
    verloopt_op: Mapped[datetime] = mapped_column(index=True)

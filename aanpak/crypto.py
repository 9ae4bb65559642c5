"""Encryption at rest for personal data, and keyed hashes for matching.

Authenticated encryption (AES-256-GCM) with a key id in every ciphertext, so keys can be rotated: new data uses
the first key, old data stays readable while its key is listed, and ``aanpak sleutels herversleutel`` rewrites
it under the newest key (aanpak/usecases/sleutels.py; the procedure is in docs/privacy-sleutels.md). The BSN is
stored only encrypted plus an HMAC (its own key), so a copy of the database without the keys reveals nothing
and matching still works.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from models.fouten import DomeinFout

_VERSIE = b"a1"


class SleutelFout(Exception):
    """Keys missing, malformed or not matching the data."""


class SleutelsOntbreken(DomeinFout, SleutelFout):
    """No keys configured outside the embedded default: refuse rather than generate keys nobody else has.

    New keys on a production host would make every stored value unreadable and stop every match with a youth
    already known, so a second case would open for the same child."""


#: HKDF ``info`` of the disclosure log's key: one purpose per derived key (domain separation).
LOGBOEK_INFO = b"aanpak/verwerkingslog/v1"


@dataclass(frozen=True)
class Sleutelring:
    """Encryption keys (newest first) and the matching key."""

    sleutels: tuple[tuple[str, bytes], ...]
    hmac_sleutel: bytes

    def __post_init__(self) -> None:
        if not self.sleutels:
            raise SleutelFout("geen versleutelsleutel ingesteld")
        for kid, key in self.sleutels:
            if len(key) != 32:
                raise SleutelFout(f"sleutel '{kid}' moet 32 bytes zijn")
            if not geldige_sleutel_id(kid):
                raise SleutelFout(f"sleutel-id '{kid}' moet alfanumeriek zijn (max 16 tekens)")
        if len(self.hmac_sleutel) < 32:
            raise SleutelFout("de HMAC-sleutel moet minstens 32 bytes zijn")

    @functools.cached_property
    def logboek_sleutel(self) -> bytes:
        """The disclosure log's chain key, derived (HKDF-SHA256) from the matching key the database never holds.

        Derived rather than configured separately: no second secret to provision or lose (a lost log key would
        make the whole chain unverifiable), and it fails closed together with the key the server cannot run
        without. HKDF is one-way, so the log key reveals nothing about the matching key."""
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=LOGBOEK_INFO).derive(self.hmac_sleutel)

    @property
    def actuele_id(self) -> str:
        return self.sleutels[0][0]

    def _sleutel(self, kid: str) -> bytes:
        for k, key in self.sleutels:
            if k == kid:
                return key
        raise SleutelFout(f"sleutel '{kid}' ontbreekt in de sleutelring")

    def versleutel(self, data: bytes, context: str) -> bytes:
        """Encrypt with the newest key; ``context`` (e.g. table.column) is bound as associated data."""
        kid, key = self.sleutels[0]
        nonce = os.urandom(12)
        ct = AESGCM(key).encrypt(nonce, data, context.encode())
        return kop(kid) + nonce + ct

    def ontsleutel(self, blob: bytes, context: str) -> bytes:
        try:
            versie, kid, rest = blob.split(b":", 2)
        except ValueError:
            raise SleutelFout("geen versleutelde waarde") from None
        if versie != _VERSIE:
            raise SleutelFout("onbekende versleutelversie")
        try:
            return AESGCM(self._sleutel(kid.decode())).decrypt(rest[:12], rest[12:], context.encode())
        except InvalidTag:
            raise SleutelFout("ontsleutelen mislukt: verkeerde sleutel of gewijzigde gegevens") from None

    def sleutel_id_van(self, blob: bytes) -> str:
        """The id of the key a value was encrypted with (readable without any key)."""
        return sleutel_id_van(blob)

    @property
    def ids(self) -> tuple[str, ...]:
        """Key ids in the ring, newest first."""
        return tuple(kid for kid, _ in self.sleutels)

    def herversleutel(self, blob: bytes, context: str) -> bytes | None:
        """The value under the newest key, or None when it already is (so rotation can skip it)."""
        if blob.startswith(kop(self.actuele_id)):
            return None
        return self.versleutel(self.ontsleutel(blob, context), context)

    def vingerafdruk(self, waarde: str, soort: str) -> str:
        """Keyed hash for matching (never reversible without the HMAC key)."""
        return hmac.new(self.hmac_sleutel, f"{soort}:{waarde}".encode(), hashlib.sha256).hexdigest()


def kop(kid: str) -> bytes:
    """The fixed start of every value encrypted under ``kid``: lets the store select values by key id."""
    return _VERSIE + b":" + kid.encode() + b":"


#: Enough leading bytes of a value to read its key id (version, the id of at most 16 characters, separators).
KOP_LENGTE = len(_VERSIE) + 1 + 16 + 1


def sleutel_id_van(blob: bytes) -> str:
    """The key id in a value's header; ``?`` for something that is not a value of ours."""
    delen = blob[:KOP_LENGTE].split(b":", 2)
    if len(delen) < 3 or delen[0] != _VERSIE or not delen[1]:
        return "?"
    try:
        return delen[1].decode("ascii")
    except UnicodeDecodeError:
        return "?"


def geldige_sleutel_id(kid: str) -> bool:
    return kid.isascii() and kid.isalnum() and 0 < len(kid) <= 16


def parse_sleutels(tekst: str) -> tuple[tuple[str, bytes], ...]:
    """``id:base64,id:base64`` (newest first) into key pairs."""
    paren: list[tuple[str, bytes]] = []
    for deel in (d.strip() for d in tekst.replace("\n", ",").split(",")):
        if not deel:
            continue
        kid, _, b64 = deel.partition(":")
        if not b64:
            raise SleutelFout("verwacht 'id:base64sleutel'")
        try:
            paren.append((kid, base64.urlsafe_b64decode(b64)))
        except ValueError:
            raise SleutelFout(f"sleutel '{kid}' is geen geldige base64") from None
    return tuple(paren)


def nieuwe_sleutel_tekst(kid: str) -> str:
    """A fresh key line ``id:base64`` (32 random bytes) for AANPAK_SLEUTELS or the key file."""
    if not geldige_sleutel_id(kid):
        raise SleutelFout(f"sleutel-id '{kid}' moet alfanumeriek zijn (max 16 tekens)")
    return f"{kid}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}"


def privemap(map_: Path) -> Path:
    """A folder only its owner can enter (0700), created with its parents if missing, tightened if it exists."""
    map_.mkdir(mode=0o700, parents=True, exist_ok=True)
    if map_.stat().st_mode & 0o777 != 0o700:
        map_.chmod(0o700)
    return map_


def ontwikkelsleutels(map_: Path) -> tuple[str, str]:
    """Create (once) and read the embedded default's key files (0600 in a 0700 folder).

    Only for the embedded default (``Instellingen.ingebed``); anything else must supply keys."""
    privemap(map_)
    versleutel = map_ / "sleutels"
    hmac_pad = map_ / "hmac-sleutel"
    inhoud = {
        versleutel: nieuwe_sleutel_tekst("k1"),
        hmac_pad: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    }
    for pad, tekst in inhoud.items():
        if not pad.exists():
            fd = os.open(pad, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(tekst + "\n")
        elif pad.stat().st_mode & 0o077:
            pad.chmod(0o600)
    return versleutel.read_text().strip(), hmac_pad.read_text().strip()

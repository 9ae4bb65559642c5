"""The embedded default channel ``postvak://``: an apprise plugin writing each message to a local folder.

A newcomer without any channel configuration still sees what every partner was told:
``<AANPAK_DATA_DIR>/postvak/<organisatie>/<rol>/<moment>-<kenmerk>.txt`` — one folder per concrete organisation,
so what school A was told never lies in school B's folder. It is an apprise plugin on purpose, so every channel
goes through the same delivery path. A resend of the same notification overwrites the same file (the name is
built from the idempotency key), so the folder deduplicates like a well-behaved receiver. The same key lets an
erasure find a case's files again (``wis``): the name holds no case reference, the key is derived from the outbox row.

URL: ``postvak://`` (under the data folder) or ``postvak://?map=/absolute/folder``. The delivery code adds
``organisatie``, ``rol``, ``kenmerk`` and ``moment`` per message.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from apprise.decorators import notify

from aanpak.config import instellingen

SCHEMA = "postvak"
_VEILIG = re.compile(r"[^a-z0-9._-]")


def _deel(waarde: Any, standaard: str) -> str:
    """A path component that cannot climb out of the folder."""
    tekst = _VEILIG.sub("_", str(waarde or "").lower()).strip(".")
    return tekst or standaard


def map_van(meta: dict[str, Any]) -> Path:
    qsd = meta.get("qsd") or {}
    if qsd.get("map"):
        return Path(str(qsd["map"]))
    return (instellingen().data_dir / "postvak").resolve()


def wis(kenmerken: Iterable[str], map_: Path | None = None) -> int:
    """Remove every message file with one of these idempotency keys from the mailbox; returns how many.

    An erased case must not live on in a partner's folder. Walks all organisation and role folders once."""
    map_ = map_ or map_van({})
    namen = {f"-{_deel(k, 'zonder-kenmerk')}.txt" for k in kenmerken}
    if not namen or not map_.is_dir():
        return 0
    aantal = 0
    for pad in map_.rglob("*.txt"):
        if pad.is_file() and any(pad.name.endswith(n) for n in namen):
            pad.unlink(missing_ok=True)
            aantal += 1
    return aantal


def schrijf(body: str, title: str, notify_type: str, *args: Any, meta: dict[str, Any], **kwargs: Any) -> bool:
    qsd = meta.get("qsd") or {}
    map_ = map_van(meta)
    if qsd.get("organisatie"):
        map_ = map_ / _deel(qsd.get("organisatie"), "onbekend")
    map_ = map_ / _deel(qsd.get("rol"), "onbekend")
    map_.mkdir(parents=True, exist_ok=True)
    naam = f"{_deel(qsd.get('moment'), 'moment')}-{_deel(qsd.get('kenmerk'), 'zonder-kenmerk')}.txt"
    inhoud = f"Onderwerp: {title}\n\n{body}\n"
    # Write then rename: a reader never sees half a message, a resend replaces the same file.
    fd, tijdelijk = tempfile.mkstemp(dir=map_, prefix=".", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(inhoud)
    os.replace(tijdelijk, map_ / naam)
    return True


# Registered at import (apprise's decorator is untyped, so it is applied as a call).
notify(on=SCHEMA, name="aanpak postvak (lokale map)")(schrijf)  # type: ignore[no-untyped-call]

"""Reading a signal document from a file or stdin: one reader for the local CLI and its client mode.

Light on purpose (the client mode imports it): only the strict JSON reader of ``models.invoer``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def lees_document(bestand: str) -> Any:
    """The file's bytes through the strict reader (UTF-8, no duplicate keys, bounded size, depth and numbers)."""
    from models.fouten import InvoerFout
    from models.invoer import MAX_BYTES, lees_json
    from models.signaal import veldnamen

    try:
        if bestand == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with Path(bestand).open("rb") as f:
                data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InvoerFout([("bestand", f"kan niet gelezen worden ({exc.strerror})")]) from None
    return lees_json(data, bron="bestand", veldnamen=veldnamen())  # duplicate keys named as in the schema

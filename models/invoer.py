"""The strict boundary for documents and free text: what is not plainly well-formed never reaches the domain.

``lees_json`` is the one JSON reader of every entrance (the CLI's ``--bestand``, the HTTP server). Python's
``json`` is lenient where a boundary must not be: it accepts duplicate keys (the last wins, so ``"rol"`` given
twice is silently the second), NaN and Infinity, numbers of any size, and dies with RecursionError on deep
nesting. Every refusal is an ``InvoerFout`` naming the document (or the path inside it) and the reason — never
a submitted value, never a traceback.

Encoding: UTF-8 only (RFC 8259 §8.1). A UTF-8 byte order mark is accepted and ignored, because Windows editors
write one and it carries no meaning; UTF-16/UTF-32 (with or without a mark), Latin-1 and invalid UTF-8 are
refused with the advice to save the file as UTF-8.

``tekstfout`` is the one check of free text (names, the concern, ``--door``, ``--reden`` …): control and
format characters (Unicode Cc, Cf), surrogates and private-use characters are refused — they can clear a
terminal, hide text or break an export — except ordinary line breaks and tabs where text may span lines.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Collection
from typing import Any

from models.fouten import InvoerFout

MAX_BYTES = 1024 * 1024
MAX_DIEPTE = 32
#: Longest number literal accepted (a BSN or a year is far shorter); ``int()`` on 5,000 digits is refused anyway.
MAX_CIJFERS = 30

#: Shown instead of a key that is not part of the schema: its text may be anything, even personal data.
ONBEKEND_VELD = "<onbekend veld>"

_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_HAAK = re.compile(r"[\[\]{}]")


class _Weigering(Exception):
    """Raised inside the json hooks; turned into an InvoerFout for the document."""

    def __init__(self, reden: str) -> None:
        super().__init__(reden)
        self.reden = reden


def lees_json(
    data: bytes,
    *,
    bron: str = "bestand",
    max_bytes: int = MAX_BYTES,
    max_diepte: int = MAX_DIEPTE,
    veldnamen: Collection[str] = (),
) -> Any:
    """Parse one JSON document strictly, or raise InvoerFout([(bron or a path in it, reason)]).

    ``bron`` names the document in messages (``bestand``, ``body``). ``veldnamen`` are the schema's own keys:
    only those are named in a path (e.g. a duplicate ``melder.rol``); any other key shows as ``<onbekend veld>``.
    """
    if len(data) > max_bytes:
        raise InvoerFout([(bron, f"is te groot (meer dan {max_bytes // 1024} KiB)")])
    if not data.strip():
        raise InvoerFout([(bron, "is leeg")])
    if data.startswith(_UTF16_32_BOMS) or b"\x00" in data:
        raise InvoerFout([(bron, "is geen UTF-8 (lijkt UTF-16 of UTF-32); sla het op als UTF-8")])
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    try:
        tekst = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvoerFout(
            [(bron, f"is geen geldige UTF-8 (byte {exc.start + 1}; bv. Latin-1); sla het op als UTF-8")]
        ) from None
    diepte = _diepte(tekst)
    if diepte > max_diepte:
        raise InvoerFout([(bron, f"is te diep genest (meer dan {max_diepte} niveaus)")])
    #: id → (the object itself, kept alive so no later object reuses its id; its duplicate keys)
    dubbel: dict[int, tuple[dict[str, Any], list[str]]] = {}

    def object_zonder_dubbele(paren: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for sleutel, waarde in paren:
            if sleutel in obj:
                dubbel.setdefault(id(obj), (obj, []))[1].append(sleutel)
            obj[sleutel] = waarde
        return obj

    try:
        document = json.loads(
            tekst,
            object_pairs_hook=object_zonder_dubbele,
            parse_int=_geheel_getal,
            parse_float=_getal,
            parse_constant=_constante,
        )
    except _Weigering as exc:
        raise InvoerFout([(bron, exc.reden)]) from None
    except json.JSONDecodeError as exc:
        raise InvoerFout([(bron, f"geen geldige JSON (regel {exc.lineno}, kolom {exc.colno})")]) from None
    except RecursionError:  # the pre-scan makes this unreachable; kept so no traceback can ever escape
        raise InvoerFout([(bron, f"is te diep genest (meer dan {max_diepte} niveaus)")]) from None
    if dubbel:
        raise InvoerFout(_dubbele_paden(document, dubbel, set(veldnamen)))
    return document


def _diepte(tekst: str) -> int:
    """Deepest nesting of arrays and objects outside strings, without recursion (bounded before parsing)."""
    diepte = hoogste = 0
    for haak in _HAAK.findall(_STRING.sub("", tekst)):
        diepte += 1 if haak in "[{" else -1
        hoogste = max(hoogste, diepte)
    return hoogste


def _geheel_getal(tekst: str) -> int:
    if len(tekst.lstrip("-")) > MAX_CIJFERS:
        raise _Weigering(f"bevat een getal van meer dan {MAX_CIJFERS} cijfers")
    return int(tekst)


def _getal(tekst: str) -> float:
    if len(tekst) > MAX_CIJFERS + 10:
        raise _Weigering(f"bevat een getal van meer dan {MAX_CIJFERS} cijfers")
    waarde = float(tekst)
    if not math.isfinite(waarde):
        raise _Weigering("bevat een getal buiten het bereik")
    return waarde


def _constante(tekst: str) -> Any:
    raise _Weigering("bevat NaN of Infinity (geen JSON)")


def veilig_pad(delen: list[str | int], veldnamen: Collection[str]) -> str:
    """A path as shown in a message: schema keys and list positions by name, any other key neutrally."""
    tekst = ""
    for deel in delen:
        if isinstance(deel, int):
            tekst += f"[{deel}]"
        else:
            tekst += ("." if tekst else "") + (deel if deel in veldnamen else ONBEKEND_VELD)
    return tekst or "(document)"


def _dubbele_paden(
    document: Any, dubbel: dict[int, tuple[dict[str, Any], list[str]]], veldnamen: set[str]
) -> list[tuple[str, str]]:
    """Walk the parsed document (iteratively) to name where each duplicate key sits."""
    fouten: list[tuple[str, str]] = []
    stapel: list[tuple[Any, list[str | int]]] = [(document, [])]
    while stapel:
        waarde, pad = stapel.pop()
        if isinstance(waarde, dict):
            for sleutel in dubbel.get(id(waarde), (waarde, []))[1]:
                fout = (veilig_pad([*pad, sleutel], veldnamen), "komt twee keer voor (dubbele sleutel)")
                if fout not in fouten:
                    fouten.append(fout)
            stapel.extend((v, [*pad, k]) for k, v in waarde.items())
        elif isinstance(waarde, list):
            stapel.extend((v, [*pad, i]) for i, v in enumerate(waarde))
    return fouten or [("bestand", "bevat een dubbele sleutel")]


# -- free text --------------------------------------------------------------------------------------------------

_VERBODEN_CATEGORIEEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_REGELOVERGANG = frozenset("\n\r\t")


def tekstfout(waarde: str, *, meerregelig: bool = False) -> str | None:
    """The reason a free text is refused (control/format characters), or None; never repeats the text."""
    for teken in waarde:
        if meerregelig and teken in _REGELOVERGANG:
            continue
        if unicodedata.category(teken) in _VERBODEN_CATEGORIEEN:
            return "bevat een stuurteken of onzichtbaar teken" + ("" if meerregelig else " (ook geen regelovergang)")
    return None

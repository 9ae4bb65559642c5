"""models/invoer.py: the strict JSON reader every entrance uses, and the one free-text check."""

from __future__ import annotations

import pytest

from models.fouten import InvoerFout
from models.invoer import MAX_DIEPTE, lees_json, tekstfout


def _fout(data: bytes, **kwargs: object) -> list[tuple[str, str]]:
    with pytest.raises(InvoerFout) as info:
        lees_json(data, **kwargs)  # type: ignore[arg-type]
    return info.value.fouten


def test_leest_gewone_json_en_negeert_een_utf8_bom() -> None:
    assert lees_json(b'{"a": [1, 2.5, "\xc3\xa9", null, true]}') == {"a": [1, 2.5, "é", None, True]}
    assert lees_json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


def test_dubbele_sleutel_met_pad_en_alleen_bekende_namen() -> None:
    data = b'{"melder": {"rol": "x", "rol": "y"}, "geheim": {"k": 1, "k": 2}}'
    assert sorted(_fout(data, veldnamen={"melder", "rol"})) == [
        ("<onbekend veld>.<onbekend veld>", "komt twee keer voor (dubbele sleutel)"),
        ("melder.rol", "komt twee keer voor (dubbele sleutel)"),
    ]


def test_dubbele_sleutel_in_een_lijst() -> None:
    assert _fout(b'{"l": [{"a": 1, "a": 1}]}', veldnamen={"l", "a"}) == [
        ("l[0].a", "komt twee keer voor (dubbele sleutel)")
    ]


@pytest.mark.parametrize(
    ("data", "reden"),
    [
        (b"", "is leeg"),
        ("{}".encode("utf-16"), "lijkt UTF-16"),
        (b'{"a": "\xe9"}', "geen geldige UTF-8"),
        (b"[" * 100_000, "te diep genest"),
        (b"[" * (MAX_DIEPTE + 1) + b"]" * (MAX_DIEPTE + 1), "te diep genest"),
        (b'{"a": ' + b"9" * 5000 + b"}", "getal van meer dan"),
        (b'{"a": 1e999}', "buiten het bereik"),
        (b'{"a": NaN}', "NaN of Infinity"),
        (b'{"a": 1', "geen geldige JSON (regel 1, kolom 8)"),
        (b"x" * 2_000_000, "is te groot"),
    ],
)
def test_weigert_met_de_naam_van_het_document_en_een_reden(data: bytes, reden: str) -> None:
    ((veld, tekst),) = _fout(data, bron="body")
    assert veld == "body"
    assert reden in tekst


def test_diepte_telt_haken_in_tekst_niet_mee() -> None:
    assert lees_json(b'{"a": "' + b"[" * 1000 + b'"}') == {"a": "[" * 1000}


@pytest.mark.parametrize("tekst", ["a\x00b", "a\x1b[2J", "a\u200bb", "a\u202eb", "a\nb", "a\u2028b", "\ud800"])
def test_tekstfout_weigert_stuur_en_opmaaktekens(tekst: str) -> None:
    assert tekstfout(tekst) is not None


def test_tekstfout_staat_gewone_tekst_en_regels_in_meerregelige_tekst_toe() -> None:
    assert tekstfout("Zoë O'Brien-van der Berg") is None
    assert tekstfout("regel 1\nregel 2\tmet tab", meerregelig=True) is None
    assert tekstfout("regel\x1b", meerregelig=True) is not None

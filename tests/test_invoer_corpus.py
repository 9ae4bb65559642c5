"""A generated corpus of malformed signal documents, each through the real CLI on a real SQLite case store.

Every document must be refused the same way: exit 1 through the CLI's own handling (no traceback), the output
names the field (or the document, ``bestand``), none of the submitted values — a sentinel is planted in each —
is printed, and no table of the store has a new row. The classes are those of issue 14 ("Bad input") plus the
ordinary ones: wrong types, empty and whitespace-only text, too long fields, future and out-of-range birth dates,
failed elfproef, unknown categories, arrays where objects belong, a top-level non-object, empty and huge files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from aanpak.cli import weergave
from aanpak.cli.main import app
from aanpak.config import instellingen
from aanpak.omgeving import Omgeving, bouw, zet_standaard
from aanpak.store.schema import Basis
from models.kalender import AMSTERDAM
from tests.gegevens import SENTINELS, register_met_een_school, signaal_document

S = "QZXSENTINEL"  # planted in every malformed value; must never appear in the output
MELDER = ["Mw. P. Melder", "077-0000000", "melder@school.example"]


@dataclass(frozen=True)
class Geval:
    id: str
    data: bytes
    veld: str
    geheimen: tuple[str, ...] = ()


def _json(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _met(pad: str, waarde: Any, doc: dict[str, Any] | None = None) -> dict[str, Any]:
    """The standard sentinel document with one value set (``a.b`` paths); ``waarde=...`` deletes it."""
    d = deepcopy(doc or signaal_document())
    *ouders, laatste = pad.split(".")
    plek: Any = d
    for deel in ouders:
        plek = plek[deel]
    if waarde is ...:
        del plek[laatste]
    else:
        plek[laatste] = waarde
    return d


def _geval(id_: str, pad: str, waarde: Any, veld: str | None = None, *geheimen: str) -> Geval:
    return Geval(id_, _json(_met(pad, waarde)), veld or pad, tuple(geheimen))


def _standaard_tekst() -> str:
    return json.dumps(signaal_document(), ensure_ascii=False)


def _vervang(id_: str, oud: str, nieuw: str, veld: str, *geheimen: str) -> Geval:
    tekst = _standaard_tekst()
    assert oud in tekst, oud
    return Geval(id_, tekst.replace(oud, nieuw, 1).encode("utf-8"), veld, geheimen)


def _corpus() -> list[Geval]:
    g: list[Geval] = []
    # -- BSN: only ASCII digits (a second case for the same child otherwise), elfproef, type -----------------------
    for naam, cijfers in [
        ("arabisch-indisch", "١١١٢٢٢٣٣٣"),
        ("oost-arabisch", "۱۱۱۲۲۲۳۳۳"),
        ("vol-breed", "１１１２２２３３３"),
        ("devanagari", "१११२२२३३३"),
        ("gemengd", "11122233３"),
        ("bengaals", "১১১২২২৩৩৩"),
    ]:
        g.append(_geval(f"bsn-{naam}", "jeugdige.bsn", cijfers, None, cijfers))
    g += [
        _geval("bsn-elfproef", "jeugdige.bsn", "111222334", None, "111222334"),
        _geval("bsn-acht-cijfers", "jeugdige.bsn", "11122233", None, "11122233"),
        _geval("bsn-letters", "jeugdige.bsn", "11122233a", None, "11122233a"),
        _geval("bsn-nullen", "jeugdige.bsn", "000000000"),
        _geval("bsn-getal", "jeugdige.bsn", 111222333),
        _geval("bsn-lijst", "jeugdige.bsn", ["111222333"]),
        _geval("bsn-te-lang", "jeugdige.bsn", "1" * 5000, None, "1" * 30),
        _geval("bsn-stuurteken", "jeugdige.bsn", "111222\x00333", None, "111222"),
    ]
    # -- birth date: an ISO string JJJJ-MM-DD only -----------------------------------------------------------------
    for naam, waarde in [
        ("unix-tijd", 1394928000),
        ("unix-tijd-float", 1394928000.5),
        ("unix-tijd-tekst", "1394928000"),
        ("tijdstip", "2014-03-17T00:00:00"),
        ("tijdstip-z", "2014-03-17T10:00:00Z"),
        ("nederlands", "17-03-2014"),
        ("schuine-strepen", "2014/03/17"),
        ("zonder-nul", "2014-3-17"),
        ("arabische-cijfers", "٢٠١٤-٠٣-١٧"),
        ("30-februari", "2014-02-30"),
        ("waar", True),
        ("null", None),
        ("lijst", [2014, 3, 17]),
        ("object", {"jaar": 2014}),
        ("leeg", ""),
        ("toekomst", "2031-01-01"),
        ("te-oud", "2001-03-17"),
        ("jaar-0001", "0001-01-01"),
    ]:
        geheim = (waarde,) if isinstance(waarde, str) and waarde and waarde != "2014-03-17" else ()
        g.append(_geval(f"datum-{naam}", "jeugdige.geboortedatum", waarde, None, *geheim))
    # -- control and format characters in names and free text ------------------------------------------------------
    for naam, teken in [
        ("nul", "\x00"),
        ("escape-wis-scherm", "\x1b[2J\x1b[H"),
        ("bel", "\x07"),
        ("del", "\x7f"),
        ("zero-width", "\u200b"),
        ("rechts-naar-links", "\u202e"),
        ("regelscheiding", "\u2028"),
        ("nieuwe-regel", "\n"),
        ("tab", "\t"),
        ("c1-csi", "\x9b"),
    ]:
        g.append(_geval(f"voornamen-{naam}", "jeugdige.voornamen", f"Zwaan{teken}{S}", None, S))
    g += [
        _geval("achternaam-escape", "jeugdige.achternaam", f"\x1b]0;{S}\x07", None, S),
        _geval("tussenvoegsel-nul", "jeugdige.tussenvoegsel", f"de\x00{S}", None, S),
        _geval("melder-naam-escape", "melder.naam", f"\x1b[31m{S}", None, S),
        _geval("telefoon-nul", "melder.telefoon", f"077\x00{S}", None, S),
        _geval("straat-bidi", "jeugdige.adres.straat", f"\u202e{S}", None, S),
        _geval("zorg-escape", "zorg", f"Ziet er moe uit \x1b[2J{S}", None, S),
        _geval("zorg-nul", "zorg", f"Ziet er\x00 moe uit {S}", None, S),
        _vervang("zorg-surrogaat", '"zorg": "', '"zorg": "\\ud800', "zorg"),
    ]
    g.append(_vervang("voornamen-surrogaat", '"voornamen": "', '"voornamen": "\\udfff', "jeugdige.voornamen"))
    # -- duplicate keys: the last would silently win ---------------------------------------------------------------
    g += [
        _vervang("dubbel-rol", '"rol": ', f'"rol": "{S}", "rol": ', "melder.rol", S),
        _vervang("dubbel-bsn", '"bsn": ', f'"bsn": "{S}", "bsn": ', "jeugdige.bsn", S),
        _vervang("dubbel-zorg", '"zorg": ', f'"zorg": "{S}", "zorg": ', "zorg", S),
        _vervang("dubbel-acuut", '"acuut": ', '"acuut": true, "acuut": ', "acuut"),
        _vervang("dubbel-melder", '"melder": ', f'"melder": {{"rol": "{S}"}}, "melder": ', "melder", S),
        _vervang("dubbel-onbekend", '"zorg": ', f'"{S}": 1, "{S}": 2, "zorg": ', "<onbekend veld>", S),
    ]
    # -- encodings other than UTF-8 --------------------------------------------------------------------------------
    tekst = _standaard_tekst().replace("Zwaantje", "Zwaäntje")
    g += [
        Geval("latin-1", tekst.encode("latin-1"), "bestand", ("Zwa",)),
        Geval("utf-16-bom", tekst.encode("utf-16"), "bestand"),
        Geval("utf-16-le", tekst.encode("utf-16-le"), "bestand"),
        Geval("utf-16-be", tekst.encode("utf-16-be"), "bestand"),
        Geval("utf-32", tekst.encode("utf-32"), "bestand"),
        Geval(
            "ongeldige-utf8",
            _standaard_tekst().replace("Zwaantje", "Zwa\udcffntje").encode("utf-8", "surrogateescape"),
            "bestand",
        ),
        Geval("overlong-utf8", _standaard_tekst().encode().replace(b"Zwaantje", b"Zwa\xc0\xafntje"), "bestand"),
        Geval("cp1252", _standaard_tekst().replace("Zwaantje", "Zwa’ntje").encode("cp1252"), "bestand"),
    ]
    # -- nesting, numbers, non-JSON constants ----------------------------------------------------------------------
    g += [
        Geval("diep-lijst", b"[" * 100_000 + b"]" * 100_000, "bestand"),
        Geval("diep-object", b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "bestand"),
        Geval("diep-onafgesloten", b"[" * 100_000, "bestand"),
        Geval("diep-in-zorg", _json(_met("zorg", json.loads("[" * 40 + "]" * 40))), "bestand"),
        _vervang("getal-5000-cijfers", '"acuut": false', '"acuut": ' + "9" * 5000, "bestand", "9" * 40),
        _vervang("getal-5000-cijfers-bsn", '"bsn": "111222333"', '"bsn": ' + "1" * 5000, "bestand", "1" * 40),
        _vervang("getal-oneindig-groot", '"acuut": false', '"acuut": 1e999', "bestand", "1e999"),
        _vervang("nan", '"acuut": false', '"acuut": NaN', "bestand"),
        _vervang("infinity", '"acuut": false', '"acuut": Infinity', "bestand"),
        _vervang("min-infinity", '"acuut": false', '"acuut": -Infinity', "bestand"),
        _vervang("lange-float", '"acuut": false', '"acuut": 0.' + "1" * 5000, "bestand", "1" * 40),
    ]
    # -- unknown values echoed before: roles, keys, references -----------------------------------------------------
    g += [
        _geval("rol-onbekend", "melder.rol", f"school.{S}", None, S),
        _geval("rol-naam-en-bsn", "melder.rol", f"Zwaantje Xylofoonstra 111222333 {S}", None, S),
        _geval("rol-wis-scherm", "melder.rol", f"\x1b[2J\x1b[3J{S}", None, S),
        _geval("rol-20kb", "melder.rol", S * 2000, None, S),
        _geval("rol-leeg", "melder.rol", ""),
        _geval("rol-getal", "melder.rol", 7),
        _geval("sleutel-bsn", "jeugdige.999990019", "x", "jeugdige.<onbekend veld>", "999990019"),
        _geval("sleutel-naam", f"jeugdige.{S}", "x", "jeugdige.<onbekend veld>", S),
        _geval("sleutel-escape", f"melder.\x1b[2J{S}", "x", "melder.<onbekend veld>", S),
        _geval("sleutel-1mb", "jeugdige." + S * 90_000, "x", "jeugdige.<onbekend veld>", S),
        _geval("sleutel-bovenaan", S, "x", "<onbekend veld>", S),
        _geval("sleutel-in-adres", f"jeugdige.adres.{S}", "x", "jeugdige.adres.<onbekend veld>", S),
    ]
    # -- the idempotency key is named as the document's field, not as --sleutel ------------------------------------
    g += [
        _geval("idem-kort", "idempotentie_sleutel", "k7q2", "idempotentie_sleutel", "k7q2"),
        _geval("idem-spaties", "idempotentie_sleutel", f"met spaties {S}", None, S),
        _geval("idem-stuurteken", "idempotentie_sleutel", f"upload-\x1b[2J{S}", None, S),
        _geval("idem-getal", "idempotentie_sleutel", 12345678901),
        _geval("idem-te-lang", "idempotentie_sleutel", S * 20, None, S),
    ]
    # -- wrong shapes and types ------------------------------------------------------------------------------------
    g += [
        _geval("melder-lijst", "melder", ["school.zorgcoordinator"], "melder"),
        _geval("melder-tekst", "melder", S, "melder", S),
        _geval("jeugdige-tekst", "jeugdige", S, "jeugdige", S),
        _geval("jeugdige-lijst", "jeugdige", [signaal_document()["jeugdige"]], "jeugdige"),
        _geval("adres-lijst", "jeugdige.adres", ["Kwartelpad 717"], "jeugdige.adres"),
        _geval("categorieen-tekst", "categorieen", "verzuim", "categorieen"),
        _geval("categorieen-leeg", "categorieen", [], "categorieen"),
        _geval("categorie-onbekend", "categorieen", [f"{S}"], "categorieen.0", S),
        _geval("categorie-getal", "categorieen", [1], "categorieen.0"),
        _geval("categorie-object", "categorieen", [{"verzuim": True}], "categorieen.0"),
        _geval("acuut-tekst", "acuut", "ja", "acuut"),
        _geval("acuut-getal", "acuut", 1, "acuut"),
        _geval("acuut-tekst-true", "acuut", "true", "acuut"),
        _geval("zorg-getal", "zorg", 42, "zorg"),
        _geval("zorg-leeg", "zorg", "", "zorg"),
        _geval("zorg-spaties", "zorg", "   \n\t  ", "zorg"),
        _geval("zorg-te-lang", "zorg", S * 1000, "zorg", S),
        _geval("voornamen-spaties", "jeugdige.voornamen", "    "),
        _geval("voornamen-leeg", "jeugdige.voornamen", ""),
        _geval("voornamen-geen-letter", "jeugdige.voornamen", "!!!---"),
        _geval("achternaam-te-lang", "jeugdige.achternaam", S * 20, None, S),
        _geval("achternaam-getal", "jeugdige.achternaam", 12),
        _geval("achternaam-null", "jeugdige.achternaam", None),
        _geval("melder-naam-spaties", "melder.naam", "  "),
        _geval("email-ongeldig", "melder.email", f"{S}-at-example", None, S),
        _geval("wijk-vrije-tekst", "jeugdige.wijk", f"Bij {S} om de hoek", None, S),
        _geval("wijk-te-lang", "jeugdige.wijk", "w" * 61),
        _geval("postcode-te-lang", "jeugdige.adres.postcode", f"5911 AA {S}", None, S),
        _geval("ontbreekt-melder", "melder", ..., "melder"),
        _geval("ontbreekt-jeugdige", "jeugdige", ..., "jeugdige"),
        _geval("ontbreekt-zorg", "zorg", ..., "zorg"),
        _geval("ontbreekt-voornamen", "jeugdige.voornamen", ...),
        _geval("ontbreekt-geboortedatum", "jeugdige.geboortedatum", ...),
        _geval("ontbreekt-rol", "melder.rol", ...),
    ]
    # -- not a signal document at all ------------------------------------------------------------------------------
    g += [
        Geval("bovenaan-lijst", _json([signaal_document()]), "(document)"),
        Geval("bovenaan-tekst", _json(S), "(document)", (S,)),
        Geval("bovenaan-getal", b"42", "(document)"),
        Geval("bovenaan-null", b"null", "(document)"),
        Geval("leeg-bestand", b"", "bestand"),
        Geval("alleen-witruimte", b"  \n\t ", "bestand"),
        Geval("afgebroken", _standaard_tekst().encode()[:-20], "bestand"),
        Geval("rommel-erachter", _standaard_tekst().encode() + f" {S}".encode(), "bestand", (S,)),
        Geval("commentaar", b"// " + S.encode() + b"\n" + _standaard_tekst().encode(), "bestand", (S,)),
        Geval("enkele-quotes", _standaard_tekst().replace('"', "'").encode(), "bestand"),
        Geval("te-groot", _json(_met("zorg", S * 120_000)), "bestand", (S,)),
        Geval("utf8-bom-maar-kapot", b"\xef\xbb\xbf{", "bestand"),
    ]
    return g


CORPUS = _corpus()


def test_het_corpus_is_groot_genoeg_en_uniek() -> None:
    assert len(CORPUS) >= 100
    assert len({g.id for g in CORPUS}) == len(CORPUS)


@dataclass
class Opslag:
    runner: CliRunner
    map: Path
    omg: Omgeving

    def tellingen(self) -> dict[str, int]:
        with self.omg.uow() as sessie:
            return {
                t.name: sessie.scalar(select(func.count()).select_from(t)) or 0 for t in Basis.metadata.sorted_tables
            }


@dataclass
class _Klok:
    moment: datetime

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture(scope="module")
def opslag(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opslag]:
    """One store for the whole corpus (every refusal must leave it as it was), with one signal already in it."""
    tmp = tmp_path_factory.mktemp("corpus")
    with pytest.MonkeyPatch.context() as mp:
        for naam in list(os.environ):
            if naam.startswith("AANPAK_"):
                mp.delenv(naam)
        mp.setenv("AANPAK_DATA_DIR", str(tmp / "data"))
        mp.setenv("AANPAK_PREFECT", "false")
        mp.setenv("AANPAK_ORGANISATIES", str(register_met_een_school(tmp)))
        mp.setattr(weergave.console, "_width", 200)
        mp.setattr(weergave.fout_console, "_width", 200)
        mp.chdir(tmp)
        instellingen.cache_clear()
        omg = bouw(klok=_Klok(datetime(2026, 12, 1, 10, tzinfo=AMSTERDAM).astimezone(UTC)))
        zet_standaard(omg)
        runner = CliRunner()
        eerste = tmp / "eerste.json"
        eerste.write_bytes(_json(signaal_document(bsn=None)))  # a case to match (or to wrongly change)
        r = runner.invoke(app, ["signaal", "registreer", "--bestand", str(eerste)])
        assert r.exit_code == 0, r.output
        yield Opslag(runner, tmp, omg)
        zet_standaard(None)
        omg.engine.dispose()
        instellingen.cache_clear()


def _weigert(opslag: Opslag, args: list[str], stdin: bytes | None, veld: str, geheimen: tuple[str, ...]) -> str:
    voor = opslag.tellingen()
    r = opslag.runner.invoke(app, args, input=stdin)
    uit = r.output
    assert r.exit_code == 1, (r.exit_code, uit[:2000], r.exception)
    assert isinstance(r.exception, SystemExit), f"onafgehandelde fout: {r.exception!r}"
    assert "Traceback" not in uit
    assert f"{veld}:" in uit, uit[:2000]
    for geheim in [*SENTINELS, *MELDER, S, *geheimen]:
        assert geheim not in uit, f"ingediende waarde in de uitvoer: {geheim[:40]!r}"
    for teken in ("\x1b", "\x00", "\x9b"):
        assert teken not in uit
    assert len(uit) < 5000  # truncated: nothing is printed back in bulk
    assert opslag.tellingen() == voor, "er is iets opgeslagen"
    return uit


@pytest.mark.parametrize("geval", CORPUS, ids=[g.id for g in CORPUS])
def test_misvormd_document_wordt_geweigerd_zonder_echo_en_zonder_opslag(opslag: Opslag, geval: Geval) -> None:
    pad = opslag.map / "doc.json"
    pad.write_bytes(geval.data)
    _weigert(opslag, ["signaal", "registreer", "--bestand", str(pad)], None, geval.veld, geval.geheimen)


@pytest.mark.parametrize("geval", [g for g in CORPUS if g.id in {"utf-16-bom", "dubbel-rol", "diep-lijst"}])
def test_ook_via_stdin(opslag: Opslag, geval: Geval) -> None:
    _weigert(opslag, ["signaal", "registreer", "--bestand", "-"], geval.data, geval.veld, geval.geheimen)


def test_de_fout_in_idempotentie_sleutel_heet_zo_en_niet_sleutel(opslag: Opslag) -> None:
    pad = opslag.map / "idem.json"
    pad.write_bytes(_json(_met("idempotentie_sleutel", "kort")))
    uit = _weigert(opslag, ["signaal", "registreer", "--bestand", str(pad)], None, "idempotentie_sleutel", ())
    assert "--sleutel" not in uit


def test_een_utf8_bom_wordt_genegeerd(opslag: Opslag) -> None:
    """Documented choice (models/invoer.py): a UTF-8 byte order mark carries no meaning and is accepted."""
    pad = opslag.map / "bom.json"
    pad.write_bytes(b"\xef\xbb\xbf" + _json(signaal_document(bsn=None, sleutel="bom-document-0001")))
    r = opslag.runner.invoke(app, ["signaal", "registreer", "--bestand", str(pad)])
    assert r.exit_code == 0, r.output
    assert "gematcht" in r.output


@pytest.mark.parametrize(
    ("optie", "waarde"),
    [
        ("--melder", f"\x1b[2J{S}"),
        ("--voornamen", f"Zwaan\x00{S}"),
        ("--zorg", f"moe\x1b]0;{S}\x07"),
        ("--bsn", "١١١٢٢٢٣٣٣"),
        ("--geboortedatum", "1394928000"),
    ],
)
def test_opties_van_registreer_even_streng(opslag: Opslag, optie: str, waarde: str) -> None:
    args = {
        "--rol": "school.zorgcoordinator",
        "--melder": "Mw. P. Melder",
        "--voornamen": "Zwaantje",
        "--achternaam": "Xylofoonstra",
        "--geboortedatum": "2014-03-17",
        "--zorg": "Komt vaak te laat.",
    }
    args[optie] = waarde
    lijst = ["signaal", "registreer", "--categorie", "verzuim", *[x for kv in args.items() for x in kv]]
    r = opslag.runner.invoke(app, lijst)
    assert r.exit_code == 1, r.output
    for teken in (S, "\x1b", "\x00"):
        assert teken not in r.output
    assert waarde not in r.output

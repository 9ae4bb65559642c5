"""Channels are configuration: an apprise YAML file maps partner organisations and roles (tags) to URLs.

Secrets never live in the file or the case store: write ``${NAAM}`` where a secret belongs and provide it as the
environment variable ``NAAM``, or as a file named by ``NAAM_FILE`` (a mounted secret). apprise's YAML has no
variable expansion of its own, so we expand after validating the file's syntax (a YAML error can then never
echo a secret) and hand apprise the expanded entries one by one, which lets us name the entry it rejects.

A channel serves a party — a role at one concrete organisation — when one of its tags is the organisation's
register key (``school-de-wissel``) or ``alle``; a tag with the role key (``wijkteam.casusregisseur``) or the
organisation type (``wijkteam``) serves it only while the register has exactly one organisation of that type,
so a channel tagged ``school`` never tells every school about every school case. The register's own
``kanalen`` per organisation are added as channels tagged with its key (``met_register``).
A channel's id (``wijkteam/json``) is built from tags and scheme, so it is
stable when a secret rotates and can be stored and shown; the URL itself stays in memory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import apprise
import yaml

from aanpak.meldingen import postvak
from models.fouten import DomeinFout
from models.organisaties import Organisatieregister

ALLE = "alle"
_VARIABELE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TOEGESTAAN = {"version", "urls", "tag", "asset"}


class KanaalFout(DomeinFout):
    """The channel configuration is unusable; names the file and the problem, never a URL or secret."""

    def __init__(self, bron: str, probleem: str) -> None:
        super().__init__(f"kanaalconfiguratie {bron}: {probleem}")


@dataclass(frozen=True)
class Kanaal:
    id: str
    schema: str
    tags: frozenset[str]
    #: The full apprise URL, secrets included: kept in memory, never stored, logged or shown.
    url: str = field(repr=False, compare=False)


@dataclass(frozen=True)
class Kanalen:
    kanalen: tuple[Kanaal, ...]
    bron: str

    def voor(
        self,
        rol: str,
        organisatie: str | None = None,
        *,
        type_: str | None = None,
        enige_van_type: bool = True,
        organisaties: frozenset[str] = frozenset(),
    ) -> list[Kanaal]:
        """The channels serving a role at an organisation (``organisaties``: the register's keys).

        ``alle`` serves everyone (the local mailbox files per organisation). A channel tagged with register keys
        is scoped to those organisations, and its role tags, if any, narrow it to those roles there
        (``school-de-wissel, school.teamleider``: De Wissel's team lead only). An unscoped channel serves a role
        tagged or a type tagged only while that type has one organisation (``enige_van_type``), so a channel
        tagged ``school`` never tells every school about every school case.
        """
        type_ = type_ or rol.split(".", 1)[0]
        organisatie = organisatie or type_
        uit: list[Kanaal] = []
        for k in self.kanalen:
            scoop = k.tags & (organisaties | ({organisatie} - {type_}))
            rollen = {t for t in k.tags if "." in t}
            if ALLE in k.tags:
                uit.append(k)
            elif scoop:
                if organisatie in scoop and (not rollen or rol in rollen):
                    uit.append(k)
            elif enige_van_type and (type_ in k.tags or rol in k.tags):
                uit.append(k)
        return uit

    def met_register(self, register: Organisatieregister, omgeving: Mapping[str, str] | None = None) -> Kanalen:
        """These channels plus each organisation's own ``kanalen`` from the register (tagged with its key)."""
        omgeving = os.environ if omgeving is None else omgeving
        extra: list[Kanaal] = list(self.kanalen)
        for i, o in enumerate(register.organisaties):
            for j, url in enumerate(o.kanalen):
                ingevuld = _vul_in(url, "organisatieregister", f"organisaties[{i}].kanalen[{j}]", omgeving)
                schema = _schema(url)
                extra.append(Kanaal(_uniek(f"{o.key}/{schema}", extra), schema, frozenset({o.key}), ingevuld))
        return Kanalen(tuple(extra), self.bron)

    def kanaal(self, kanaal_id: str) -> Kanaal | None:
        return next((k for k in self.kanalen if k.id == kanaal_id), None)


def ingebouwd() -> Kanalen:
    """No configuration: everything goes to the local mailbox folder (``postvak://``)."""
    return Kanalen((Kanaal("postvak", postvak.SCHEMA, frozenset({ALLE}), f"{postvak.SCHEMA}://"),), "ingebouwd postvak")


def laad(pad: Path | None, omgeving: Mapping[str, str] | None = None) -> Kanalen:
    """The configured channels, or the embedded default when no file is configured."""
    if pad is None:
        return ingebouwd()
    bron = str(pad)
    try:
        tekst = pad.read_text(encoding="utf-8")
    except OSError as exc:
        raise KanaalFout(bron, f"kan het bestand niet lezen ({type(exc).__name__})") from None
    return lees(tekst, bron, os.environ if omgeving is None else omgeving)


def lees(tekst: str, bron: str, omgeving: Mapping[str, str]) -> Kanalen:
    try:
        inhoud = yaml.safe_load(tekst)
    except yaml.YAMLError as exc:
        plek = getattr(exc, "problem_mark", None)
        waar = f"regel {plek.line + 1}, kolom {plek.column + 1}: " if plek is not None else ""
        # Only the parser's problem, not its snippet of the file.
        raise KanaalFout(bron, f"geen geldige YAML ({waar}{getattr(exc, 'problem', None) or 'syntaxfout'})") from None
    items = _controleer_vorm(inhoud, bron)
    basis = {k: v for k, v in inhoud.items() if k in ("version", "tag", "asset")}
    kanalen: list[Kanaal] = []
    for i, item in enumerate(items):
        schema = _schema(item)
        ingevuld = _vul_in(item, bron, f"urls[{i}]", omgeving)
        if schema == postvak.SCHEMA:  # apprise's YAML parser fails on a decorator plugin with options (?map=)
            for url, tags in _postvak(ingevuld, basis.get("tag"), bron, i):
                kanalen.append(Kanaal(_uniek("+".join(sorted(tags)) + "/" + schema, kanalen), schema, tags, url))
            continue
        config = apprise.AppriseConfig()
        config.add_config(yaml.safe_dump({**basis, "urls": [ingevuld]}, allow_unicode=True), format="yaml")
        diensten = config.services()
        verwacht = len(next(iter(item.values()))) if isinstance(item, dict) and isinstance(_waarde(item), list) else 1
        if len(diensten) != verwacht:
            raise KanaalFout(bron, f"urls[{i}] ({schema}://…) is geen bruikbare apprise-URL of heeft ongeldige opties")
        for dienst in diensten:
            tags = frozenset(str(t).lower() for t in dienst.tags)
            if not tags:
                raise KanaalFout(bron, f"urls[{i}] ({schema}://…) heeft geen tag: noem de rol of organisatie")
            url = str(dienst.url())  # type: ignore[no-untyped-call]
            kanalen.append(Kanaal(_uniek("+".join(sorted(tags)) + "/" + schema, kanalen), schema, tags, url))
    if not kanalen:
        raise KanaalFout(bron, "er staan geen kanalen in (verwacht: urls: met minstens één URL)")
    return Kanalen(tuple(kanalen), bron)


def _controleer_vorm(inhoud: Any, bron: str) -> list[Any]:
    if not isinstance(inhoud, dict):
        raise KanaalFout(bron, "verwacht een apprise YAML-configuratie met 'urls:'")
    onbekend = sorted(str(k) for k in inhoud if k not in _TOEGESTAAN)
    if onbekend:
        raise KanaalFout(
            bron, f"onbekende sleutel(s) {', '.join(onbekend)} (toegestaan: {', '.join(sorted(_TOEGESTAAN))})"
        )
    items = inhoud.get("urls")
    if not isinstance(items, list) or not items:
        raise KanaalFout(bron, "'urls:' ontbreekt of is leeg")
    for i, item in enumerate(items):
        if isinstance(item, str):
            continue
        if not (isinstance(item, dict) and len(item) == 1 and isinstance(next(iter(item)), str)):
            raise KanaalFout(bron, f"urls[{i}] moet een URL zijn, of één URL met opties (tag: …)")
        waarde = _waarde(item)
        if not (waarde is None or isinstance(waarde, dict) or (isinstance(waarde, list) and waarde)):
            raise KanaalFout(bron, f"urls[{i}]: de opties moeten een mapping of een lijst van mappings zijn")
    return items


def _tags(waarde: Any) -> frozenset[str]:
    delen = waarde if isinstance(waarde, list) else re.split(r"[,\s]+", str(waarde or ""))
    return frozenset(str(t).strip().lower() for t in delen if str(t).strip())


def _postvak(item: Any, basis_tag: Any, bron: str, i: int) -> list[tuple[str, frozenset[str]]]:
    """``postvak://`` entries read by us: the URL kept whole (apprise's ``url()`` would drop ``?map=``)."""
    url, opties = (item, None) if isinstance(item, str) else next(iter(item.items()))
    uitkomst: list[tuple[str, frozenset[str]]] = []
    for optie in opties if isinstance(opties, list) else [opties]:
        optie = optie or {}
        if not isinstance(optie, dict) or set(optie) - {"tag"}:
            raise KanaalFout(bron, f"urls[{i}] (postvak://…) kent alleen de optie tag")
        if apprise.Apprise.instantiate(url) is None:
            raise KanaalFout(bron, f"urls[{i}] (postvak://…) is geen bruikbare URL")
        tags = _tags(optie.get("tag")) | _tags(basis_tag)
        if not tags:
            raise KanaalFout(bron, f"urls[{i}] (postvak://…) heeft geen tag: noem de rol of organisatie")
        uitkomst.append((url, tags))
    return uitkomst


def _waarde(item: dict[str, Any]) -> Any:
    return next(iter(item.values()))


def _schema(item: Any) -> str:
    url = item if isinstance(item, str) else next(iter(item))
    return url.split("://", 1)[0].lower() if "://" in url else "?"


def _vul_in(waarde: Any, bron: str, pad: str, omgeving: Mapping[str, str]) -> Any:
    """Expand ``${NAAM}`` in every string (keys too: the URL is a key when it has options)."""
    if isinstance(waarde, str):
        return _VARIABELE.sub(lambda m: _geheim(m.group(1), bron, pad, omgeving), waarde)
    if isinstance(waarde, list):
        return [_vul_in(v, bron, pad, omgeving) for v in waarde]
    if isinstance(waarde, dict):
        return {_vul_in(k, bron, pad, omgeving): _vul_in(v, bron, pad, omgeving) for k, v in waarde.items()}
    return waarde


def _geheim(naam: str, bron: str, pad: str, omgeving: Mapping[str, str]) -> str:
    if naam in omgeving:
        return omgeving[naam]
    bestand = omgeving.get(f"{naam}_FILE")
    if bestand:
        try:
            return Path(bestand).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise KanaalFout(bron, f"{pad}: geheim {naam}_FILE is niet leesbaar ({type(exc).__name__})") from None
    raise KanaalFout(bron, f"{pad}: omgevingsvariabele {naam} (of {naam}_FILE) is niet gezet")


def _uniek(kanaal_id: str, bestaand: list[Kanaal]) -> str:
    ids = {k.id for k in bestaand}
    if kanaal_id not in ids:
        return kanaal_id
    n = 2
    while f"{kanaal_id}#{n}" in ids:
        n += 1
    return f"{kanaal_id}#{n}"


def postvak_url(map_: Path) -> str:
    """A ``postvak://`` URL for a given folder (tests, operators who want the folder elsewhere)."""
    return f"{postvak.SCHEMA}://?map={quote(str(map_))}"

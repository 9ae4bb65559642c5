"""Dutch message texts per notification kind: who must act, on which case, by when — never the child's data.

Templates see only ``Inhoud``: references, role and step names from the definition, dates, and for a match the
other professional's contact details. Nothing about the youth or the concern is ever put in it, so no template
can leak it (tests render every kind with sentinel personal data in the case and look for it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from models.meldingen import Meldingsoort
from models.teksten import datum, werkdagen_tekst


@dataclass(frozen=True)
class Contact:
    """A professional's contact details (allowed in a match message); never the youth's."""

    rol: str
    naam: str
    telefoon: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Inhoud:
    """Everything a template may use: non-personal by construction."""

    soort: str
    casus_ref: str
    ontvanger_rol: str
    ontvanger_naam: str
    kenmerk: str
    inzage: str
    stap_key: str | None = None
    stap_naam: str | None = None
    stap_omschrijving: str | None = None
    eigenaar_naam: str | None = None
    is_eigenaar: bool = False
    termijn_einde: datetime | None = None
    #: Werkdagen left until the due date (negative: overdue), per the werkproces calendar.
    werkdagen: int | None = None
    #: Non-personal facts picked per kind (outcome label, handoff reference, role names…).
    details: dict[str, str] = field(default_factory=dict)
    contacten: tuple[Contact, ...] = ()


@dataclass(frozen=True)
class Bericht:
    titel: str
    tekst: str


def _termijn(i: Inhoud) -> str:
    if i.termijn_einde is None:
        return ""
    over = f" ({werkdagen_tekst(i.werkdagen)})" if i.werkdagen is not None else ""
    return f"Uiterlijk: {datum(i.termijn_einde)}{over}"


def _uiterlijk(i: Inhoud) -> str:
    return f" — uiterlijk {datum(i.termijn_einde)}" if i.termijn_einde else ""


def _stap(i: Inhoud) -> str:
    return i.stap_naam or i.stap_key or "(stap)"


def _bericht(i: Inhoud, onderwerp: str, *regels: str) -> Bericht:
    voet = [
        "",
        f"Details (alleen voor bevoegden): {i.inzage}",
        f"Kenmerk: {i.kenmerk}",
        "Dit bericht bevat bewust geen gegevens over de jeugdige.",
    ]
    tekst = "\n".join([f"Aan: {i.ontvanger_naam}", "", *(r for r in regels if r)])
    return Bericht(titel=f"[aanpak {i.casus_ref}] {onderwerp}", tekst=tekst.rstrip() + "\n" + "\n".join(voet))


def stap_gestart(i: Inhoud) -> Bericht:
    if i.is_eigenaar:
        return _bericht(
            i,
            f"Actie nodig: {_stap(i)}{_uiterlijk(i)}",
            f"In casus {i.casus_ref} is de stap '{_stap(i)}' gestart. U bent eigenaar van deze stap.",
            f"Wat wordt verwacht: {i.stap_omschrijving or 'de stap uitvoeren en uw besluit vastleggen.'}",
            _termijn(i),
            f"Uw besluit vastleggen: aanpak stap besluit {i.casus_ref} {i.stap_key} <uitkomst> "
            f"--als {i.ontvanger_rol} --door <gebruikersnaam>",
        )
    return _bericht(
        i,
        f"Ter informatie: {_stap(i)} gestart",
        f"In casus {i.casus_ref} is de stap '{_stap(i)}' gestart bij {i.eigenaar_naam or 'de eigenaar'}.",
        _termijn(i),
        "Van u wordt nu niets gevraagd.",
    )


def stap_afgerond(i: Inhoud) -> Bericht:
    uitkomst = i.details.get("uitkomst", "")
    return _bericht(
        i,
        f"Stap afgerond: {_stap(i)}" + (f" — {uitkomst}" if uitkomst else ""),
        f"In casus {i.casus_ref} is de stap '{_stap(i)}' afgerond" + (f" met: {uitkomst}." if uitkomst else "."),
        "Van u wordt nu niets gevraagd, tenzij u een aparte melding over een volgende stap ontvangt.",
    )


def match(i: Inhoud) -> Bericht:
    regels = [
        f"Een andere convenantpartner heeft een signaal afgegeven over dezelfde jeugdige als in casus {i.casus_ref}.",
        "Stem met elkaar af wie wat doet. Contactgegevens van de betrokken professional(s):",
    ]
    for c in i.contacten:
        delen = [f"- {c.naam}, {c.rol}"]
        if c.telefoon:
            delen.append(f"tel. {c.telefoon}")
        if c.email:
            delen.append(f"e-mail {c.email}")
        regels.append(", ".join(delen))
    if not i.contacten:
        regels.append("- (geen contactgegevens beschikbaar; zie de casus)")
    return _bericht(i, "Match: dezelfde jeugdige is ook door een andere partner gesignaleerd", *regels)


def overdracht_aangeboden(i: Inhoud) -> Bericht:
    regie, naar, ref = i.details.get("regie", "regie"), i.details.get("naar", ""), i.details.get("overdracht", "")
    if i.details.get("aan_ontvanger") == "ja":
        return _bericht(
            i,
            f"Warme overdracht: {regie} aangeboden{_uiterlijk(i)}",
            f"In casus {i.casus_ref} wordt de {regie} aan u overgedragen (overdracht {ref}).",
            "Wat wordt verwacht: accepteer de overdracht; tot dan blijft de regie bij de huidige houder.",
            _termijn(i),
            f"Accepteren: aanpak overdracht accepteer {ref} --als {i.ontvanger_rol} --door <gebruikersnaam>",
        )
    return _bericht(
        i,
        f"Overdracht van {regie} aangeboden aan {naar}",
        f"In casus {i.casus_ref} is de {regie} aangeboden aan {naar} (overdracht {ref}).",
        "U houdt de regie tot de overdracht is geaccepteerd.",
        _termijn(i),
    )


def overdracht_geaccepteerd(i: Inhoud) -> Bericht:
    regie, naar, ref = i.details.get("regie", "regie"), i.details.get("naar", ""), i.details.get("overdracht", "")
    return _bericht(
        i,
        f"Overdracht geaccepteerd: {regie} ligt nu bij {naar}",
        f"In casus {i.casus_ref} heeft {naar} de {regie} geaccepteerd (overdracht {ref}).",
    )


def te_laat(i: Inhoud) -> Bericht:
    if i.details.get("overdracht"):
        ref = i.details["overdracht"]
        return _bericht(
            i,
            f"Termijn verstreken: overdracht {ref} niet geaccepteerd",
            f"In casus {i.casus_ref} is overdracht {ref} niet binnen de termijn geaccepteerd.",
            _termijn(i),
            "Wat wordt verwacht: accepteer de overdracht of stem af met de procesregie.",
        )
    return _bericht(
        i,
        f"Termijn verstreken: {_stap(i)}",
        f"In casus {i.casus_ref} is de termijn van de stap '{_stap(i)}' verstreken.",
        _termijn(i),
        "Wat wordt verwacht: leg zo snel mogelijk een besluit vast, of verleng of schort de termijn op met reden.",
    )


def termijn_gewijzigd(i: Inhoud) -> Bericht:
    return _bericht(
        i,
        f"Termijn gewijzigd: {_stap(i)}{_uiterlijk(i)}",
        f"In casus {i.casus_ref} is de termijn van de stap '{_stap(i)}' gewijzigd.",
        _termijn(i),
    )


def herinnering(i: Inhoud) -> Bericht:
    return _bericht(
        i,
        f"Herinnering: {_stap(i)}{_uiterlijk(i)}",
        f"In casus {i.casus_ref} wacht de stap '{_stap(i)}' nog op uw besluit.",
        _termijn(i),
    )


def escalatie(i: Inhoud) -> Bericht:
    niveau = f" (niveau {i.details['niveau']})" if i.details.get("niveau") else ""
    if i.details.get("overdracht"):
        ref = i.details["overdracht"]
        return _bericht(
            i,
            f"Escalatie{niveau}: overdracht {ref} niet op tijd geaccepteerd",
            f"In casus {i.casus_ref} is overdracht {ref} niet binnen de termijn geaccepteerd"
            f" door {i.eigenaar_naam or 'de ontvangende rol'}.",
            _termijn(i),
            "Wat wordt verwacht: zorg dat de overdracht wordt geaccepteerd of dat de regie anders wordt belegd.",
        )
    if i.is_eigenaar:
        wat = "Wat wordt verwacht: leg zo snel mogelijk uw besluit vast, of verleng of schort de termijn op met reden."
    else:
        wat = f"U wordt ingeschakeld als {i.ontvanger_naam}: spreek de eigenaar aan of zorg dat de stap wordt opgepakt."
    return _bericht(
        i,
        f"Escalatie{niveau}: {_stap(i)} is over de termijn",
        f"In casus {i.casus_ref} is de stap '{_stap(i)}' (eigenaar: {i.eigenaar_naam or 'onbekend'}) over de termijn.",
        _termijn(i),
        wat,
    )


def stagnatie(i: Inhoud) -> Bericht:
    oorzaak = i.details.get("oorzaak")
    return _bericht(
        i,
        "Stagnatie: de casus komt niet verder",
        f"In casus {i.casus_ref}"
        + (f" (AVE {i.details['ave']})" if i.details.get("ave") else "")
        + " stagneert de samenwerking"
        + (f": '{oorzaak}' blijft liggen." if oorzaak else "."),
        f"Wat wordt verwacht: beoordeel of opschalen nodig is ({_stap(i)})."
        if i.stap_key
        else "Wat wordt verwacht: beoordeel of opschalen (AVE) nodig is.",
    )


def review_gemist(i: Inhoud) -> Bericht:
    return _bericht(
        i,
        f"Monitoring: de voortgang van casus {i.casus_ref} is niet besproken",
        f"In casus {i.casus_ref}"
        + (f" (AVE {i.details['ave']})" if i.details.get("ave") else "")
        + f" is de periodieke voortgangsbespreking van '{_stap(i)}' niet op tijd vastgelegd"
        + (f" door {i.eigenaar_naam}." if i.eigenaar_naam else "."),
        "Wat wordt verwacht: bespreek de voortgang en leg de review vast; blijft de voortgang uit, overweeg "
        "dan opschalen (AVE).",
        f"Volgende review uiterlijk {datum(i.termijn_einde)}." if i.termijn_einde else "",
    )


def opschorting_over_maximum(i: Inhoud) -> Bericht:
    if i.is_eigenaar:
        wat = "Wat wordt verwacht: hervat de stap (aanpak stap hervatten) en leg uw besluit vast."
    else:
        wat = f"U wordt ingeschakeld als {i.ontvanger_naam}: spreek de eigenaar aan zodat de stap wordt hervat."
    return _bericht(
        i,
        f"Opschorting over maximum: {_stap(i)}",
        f"In casus {i.casus_ref} is de stap '{_stap(i)}' (eigenaar: {i.eigenaar_naam or 'onbekend'}) langer "
        "opgeschort dan het werkproces toestaat; de termijn schuift niet verder op.",
        _termijn(i),
        wat,
    )


def bezorging_mislukt(i: Inhoud) -> Bericht:
    d = i.details
    return _bericht(
        i,
        f"Melding niet bezorgd aan {d.get('ontvanger', 'een partner')}",
        f"Een melding in casus {i.casus_ref} ({d.get('oorspronkelijk', 'melding')}"
        + (f", stap '{_stap(i)}'" if i.stap_key else "")
        + f") kon na {d.get('pogingen', '?')} pogingen niet worden bezorgd via kanaal {d.get('kanaal', '?')}.",
        "Wat wordt verwacht: neem zelf contact op met deze partner. Een beheerder kan de melding opnieuw "
        f"versturen: aanpak meldingen opnieuw --melding {d.get('melding', '?')}",
    )


def algemeen(i: Inhoud) -> Bericht:
    """Fallback for a kind without its own template: still delivered, never lost (a test flags the gap)."""
    return _bericht(
        i,
        f"Bericht over casus {i.casus_ref}" + (f": {_stap(i)}" if i.stap_key else ""),
        f"Er is iets gewijzigd in casus {i.casus_ref} ({i.soort.replace('_', ' ')}).",
        _termijn(i),
    )


SJABLONEN: dict[str, Callable[[Inhoud], Bericht]] = {
    Meldingsoort.STAP_GESTART: stap_gestart,
    Meldingsoort.STAP_AFGEROND: stap_afgerond,
    Meldingsoort.MATCH: match,
    Meldingsoort.OVERDRACHT_AANGEBODEN: overdracht_aangeboden,
    Meldingsoort.OVERDRACHT_GEACCEPTEERD: overdracht_geaccepteerd,
    Meldingsoort.TE_LAAT: te_laat,
    Meldingsoort.TERMIJN_GEWIJZIGD: termijn_gewijzigd,
    Meldingsoort.HERINNERING: herinnering,
    Meldingsoort.ESCALATIE: escalatie,
    Meldingsoort.STAGNATIE: stagnatie,
    Meldingsoort.REVIEW_GEMIST: review_gemist,
    Meldingsoort.OPSCHORTING_OVER_MAXIMUM: opschorting_over_maximum,
    Meldingsoort.BEZORGING_MISLUKT: bezorging_mislukt,
}


def maak_bericht(inhoud: Inhoud) -> Bericht:
    return SJABLONEN.get(inhoud.soort, algemeen)(inhoud)

"""Request bodies built in one place, so a field the API adds (e.g. a regie proposal) is one line here."""

from __future__ import annotations

from typing import Any


def zonder_leeg(velden: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in velden.items() if v is not None}


def besluit(
    *,
    uitkomst: str,
    ave: int | None = None,
    casusregie: str | None = None,
    procesregie: str | None = None,
    casusregie_organisatie: str | None = None,
    procesregie_organisatie: str | None = None,
    eigenaar_organisatie: str | None = None,
    regie_voorstel: str | None = None,
    regie_reden: str | None = None,
    toelichting: str | None = None,
    versie: int | None = None,
) -> dict[str, Any]:
    """The body of ``POST /casussen/{ref}/stappen/{stap}/besluit`` (the key travels as ``Idempotency-Key``)."""
    return zonder_leeg(
        {
            "uitkomst": uitkomst,
            "ave_fase": ave,
            "casusregie": casusregie,
            "procesregie": procesregie,
            "casusregie_organisatie": casusregie_organisatie,
            "procesregie_organisatie": procesregie_organisatie,
            "eigenaar_organisatie": eigenaar_organisatie,
            "regie_voorstel": regie_voorstel,
            "regie_reden": regie_reden,
            "toelichting": toelichting,
            "verwachte_versie": versie,
        }
    )


def signaal_uit_opties(
    *,
    melder: str | None,
    telefoon: str | None,
    email: str | None,
    bsn: str | None,
    voornamen: str | None,
    tussenvoegsel: str,
    achternaam: str | None,
    geboortedatum: str | None,
    wijk: str | None,
    categorieen: list[str],
    acuut: bool,
    zorg: str | None,
) -> dict[str, Any]:
    """A signal document from the command's options; the melder's role is the role you act in (the token's)."""
    return {
        "melder": zonder_leeg({"naam": melder, "telefoon": telefoon, "email": email}),
        "jeugdige": zonder_leeg(
            {
                "bsn": bsn,
                "voornamen": voornamen,
                "tussenvoegsel": tussenvoegsel,
                "achternaam": achternaam,
                "geboortedatum": geboortedatum,
                "wijk": wijk,
            }
        ),
        "categorieen": categorieen,
        "acuut": acuut,
        **({"zorg": zorg} if zorg is not None else {}),
    }

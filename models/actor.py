"""Who acts: a person, at one concrete organisation, in one role of the werkproces.

Every request that changes or reads a case carries an ``Actor``. It comes from a verified token (the aanpak
server) and never from a request body or a flag: the server builds it, use cases only receive it. The role is
a werkproces role key (``school.zorgcoordinator``); the organisation is a key of the organisation register
(``school-de-wissel``), whose type must be the role's organisation type.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    #: A pseudonymous handle of the person (the token's subject as mapped), e.g. ``a.mentor``.
    persoon: str
    #: Key of the concrete organisation in the organisation register.
    organisatie: str
    #: The werkproces role the person acts in for this request.
    rol: str

    def __str__(self) -> str:
        return f"{self.persoon}@{self.organisatie} als {self.rol}"

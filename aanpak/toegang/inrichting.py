"""Which issuers this installation trusts: the configured file, or else the embedded development issuer.

One decision in one place, for the server: with ``AANPAK_TOEGANG`` set only that file's issuers are trusted
(the development issuer is not, unless the file lists it); without it the development issuer is the only one —
and only where it is allowed (SQLite, or ``AANPAK_ONTWIKKELUITGEVER_TOESTAAN=true``).
"""

from __future__ import annotations

from aanpak.config import Instellingen, instellingen
from aanpak.toegang.config import ToegangConfig, laad_toegang
from aanpak.toegang.ontwikkeluitgever import Ontwikkeluitgever, ontwikkeluitgever


def toegang_voor(inst: Instellingen | None = None) -> tuple[ToegangConfig, Ontwikkeluitgever | None]:
    """The ToegangConfig in force, and the development issuer whose router the server must mount (or None)."""
    inst = inst or instellingen()
    if inst.toegang is not None:
        return laad_toegang(inst.toegang), None
    uitgever = ontwikkeluitgever(inst)
    return uitgever.toegang(), uitgever

"""The stored token of ``aanpak login``: one file, 0600, created exclusively and never through a symbolic link.

``$XDG_CONFIG_HOME/aanpak/token`` (default ``~/.config/aanpak/token``); the folder is created 0700. A token in
``AANPAK_TOKEN`` wins over the file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class TokenbestandFout(Exception):
    """The token file cannot be used safely (a link, readable by others, unreadable); the text is Dutch."""


def pad() -> Path:
    basis = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(basis) / "aanpak" / "token"


def schrijf(token: str) -> Path:
    """Store ``token``, replacing an earlier one; refuses a symbolic link at the file or its folder."""
    bestand = pad()
    map_ = bestand.parent
    if map_.is_symlink():
        raise TokenbestandFout(f"{map_} is een koppeling (symlink); het token wordt daar niet opgeslagen")
    map_.mkdir(mode=0o700, parents=True, exist_ok=True)
    if bestand.is_symlink():
        raise TokenbestandFout(f"{bestand} is een koppeling (symlink); verwijder die eerst")
    if bestand.exists():
        if not bestand.is_file():
            raise TokenbestandFout(f"{bestand} is geen gewoon bestand")
        bestand.unlink()
    try:
        fd = os.open(bestand, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise TokenbestandFout(f"{bestand} werd tegelijk door een ander proces aangemaakt; probeer opnieuw") from None
    except OSError as exc:
        raise TokenbestandFout(f"{bestand} kan niet geschreven worden ({exc.strerror})") from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(token + "\n")
    return bestand


def lees() -> str | None:
    """The stored token, or None when there is none. A link or a file others may read is refused."""
    bestand = pad()
    if bestand.is_symlink():
        raise TokenbestandFout(f"{bestand} is een koppeling (symlink); log opnieuw in met aanpak login")
    try:
        fd = os.open(bestand, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise TokenbestandFout(f"{bestand} kan niet gelezen worden ({exc.strerror})") from None
    with os.fdopen(fd, "r", encoding="ascii", errors="replace") as f:
        if stat.S_IMODE(os.fstat(f.fileno()).st_mode) & 0o077:
            raise TokenbestandFout(f"{bestand} is leesbaar voor anderen; log opnieuw in met aanpak login")
        token = f.read(64 * 1024).strip()
    return token or None


def verwijder() -> bool:
    """Remove the stored token (a link is removed, never followed); False when there was none."""
    bestand = pad()
    try:
        bestand.unlink()
    except FileNotFoundError:
        return False
    return True

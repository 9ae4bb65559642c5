"""Settings of the web app (``AANPAK_WEB_*``): sessions and, for a municipality's own identity provider, the client.

Without ``AANPAK_WEB_UITGEVER`` the web app logs in with the embedded development issuer of this same server.
A configured issuer must also be trusted by the server (``AANPAK_TOEGANG``) with ``publiek`` equal to the web
client's id: the ID token is verified by the same ``Verificateur`` as every API token.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebInstellingen(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AANPAK_WEB_", env_file=None, extra="ignore")

    #: A session unused this long is over (minutes).
    sessie_inactief_minuten: int = Field(default=30, ge=1, le=24 * 60)
    #: A session is over this long after login, used or not (hours).
    sessie_max_uren: int = Field(default=10, ge=1, le=24)
    #: The OIDC issuer the web app logs in with; empty: the development issuer of this server.
    uitgever: str = ""
    client_id: str = "aanpak"
    #: Only for an issuer that wants a confidential client; PKCE is used either way.
    client_secret: SecretStr = SecretStr("")
    #: The address coordinators open (``https://aanpak.gemeente.nl``): the OIDC redirect URI is built from it,
    #: never from the request's Host header or scheme (behind the TLS proxy those say ``http://`` and the
    #: backend's name). Empty: the request's own address — only for the development issuer on this machine.
    url: str = ""

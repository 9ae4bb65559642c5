"""Prefect flows of the werkproces. Importing the package installs the log redaction filter first."""

from aanpak.redactie import installeer as _installeer_redactie

_installeer_redactie()

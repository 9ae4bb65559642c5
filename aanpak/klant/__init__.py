"""The CLI as a client of the aanpak server: with ``AANPAK_API_URL`` set, coordinator commands are HTTP calls.

Who acts comes only from the bearer token (``AANPAK_TOKEN`` or ``aanpak login``); this package imports neither
Prefect nor SQLAlchemy nor anything that holds the case store, so a command starts fast (an import-linter
contract in pyproject.toml keeps it so).
"""

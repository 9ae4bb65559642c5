"""The aanpak server: the only process that holds the database URL, the encryption keys and the HMAC key.

Clients (the CLI, a web app, partner systems) hold a bearer token only. ``maak_app`` builds the FastAPI app.
"""

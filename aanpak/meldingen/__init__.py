"""Partner notifications: channel configuration, Dutch templates and delivery through apprise.

The outbox rows themselves are written by the use cases (``meld`` in the same transaction as the state
change); this package turns them into messages and sends them, one recipient channel per apprise call.
"""

"""Administration: staff accounts and API tokens.

- ``accounts``: creating staff accounts, passwords and signing in.
- ``tokens``: bearer tokens for the JSON API (stored hashed).

Who may see or change a centre is :mod:`vr_booking.services.access`.
"""

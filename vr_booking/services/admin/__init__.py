"""Administration: staff accounts, centres, API tokens and the audit trail.

- ``accounts``: creating an account (the checks the CLI, the pages and the API share), the
  audit row of a change to an account, signing in with a password (argon2id).
- ``passwords``: the password rules (length, not one of the most common passwords).
- ``links``: one-time links to set a password (invitations, resets, "forgot password").
- ``permissions``: who manages whom (administrators everyone; managers their centres' staff,
  never above their own role).
- ``staff``: the staff list, new accounts, role and centres, deactivation, reset links.
- ``centres`` and ``centre_use``: creating and editing centres; what keeps one from being
  deactivated.
- ``tokens``: bearer tokens for the JSON API (stored hashed; label, expiry, last use).
- ``audit_log``: reading the audit trail with filters (writing it is ``services/audit.py``).

Who may see or change a centre's own pages is :mod:`vr_booking.services.access`.
"""

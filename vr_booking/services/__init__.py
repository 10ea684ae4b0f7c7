"""Domain rules: plain functions taking a database Session; no FastAPI, no HTML.

One package a capability, each saying in its ``__init__`` what lives where:

- ``open_access``: weekly rules, slots, capacity, bookings, the waiting list, booking e-mails.
- ``fleet``: the headsets: inventory, edits, service states, content, location, charge.
- ``desk``: the day at the desk: check-in, walk-ins, no-shows, hand-out, incidents.
- ``catalogue``: sectors, jobs and videos; the public catalogue and its CSV file.
- ``admin``: staff accounts and API tokens.

Shared helpers sit beside them: ``errors`` (domain errors), ``access`` (who may see and
change a centre), ``mail`` (the outbox), ``calendar`` (ICS files), ``qr`` (QR codes),
``search`` (accent-insensitive text), ``timeutil`` (local time and UTC), ``demo`` (demo data).
Services flush, never commit: the caller (a request, a CLI command, a sweep) commits once.
"""

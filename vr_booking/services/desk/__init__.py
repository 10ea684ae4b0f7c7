"""The facilitator's desk: today's sessions at a centre, and what happens at the desk.

- ``day``: today's slots and group sessions with their people (the Today page's data).
- ``people``: who the desk acts on (a ticket holder or a participant) and whether it may.
- ``checkin``: checking tickets and group participants in.
- ``walk_ins``: counting people who come without booking.
- ``no_shows``: releasing the seats of booked visitors who did not come.
- ``rules``: the hand-out rules (where, in service, clean, charged, not reserved, caps).
- ``handout``: handing headsets out and taking them back, with the videos watched.
- ``board``: the headsets of the day and what to offer whom (read-only, polled).
- ``incidents``: someone felt unwell, a headset was damaged or lost.
"""

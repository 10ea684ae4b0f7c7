"""Open access: free individual seats booked by visitors, with a waiting list.

- ``rules``: the weekly open-access rules and closed days that managers edit.
- ``slots``: slots generated from the rules, and the upcoming ones visitors see.
- ``capacity``: seats of a slot, counted from the headsets there (the capacity formula).
- ``booking``: book, cancel and change a seat; the checks on what a visitor sends.
- ``limits``: what one person (e-mail, browser) or client address may hold.
- ``full_slots``: the slots this worker found full a moment ago (a hint for a rush).
- ``waitlist``: keeping confirmed bookings within capacity through the waiting list.
- ``tickets``: a ticket's address and short code.
- ``mail``: what visitors are told when their booking changes.

Checking a ticket in at the desk is :mod:`vr_booking.services.desk`.
"""

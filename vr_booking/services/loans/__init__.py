"""Loans of headsets from a hub to the associated centres it leads.

- ``inputs``: what a new loan asks for, checked the same way for forms and the API.
- ``access``: who may see a loan, lend, and record each hand-over.
- ``clashes``: why headsets cannot go for some days (other loans, group sessions, service
  state), which others are free, and the ``headsets_busy`` refusal.
- ``pools``: what a loan does to the lender's and the borrower's headset pools (refusing
  stranded bookings, promoting waiting lists); the database's no-double-loan guarantee.
- ``lifecycle``: creating, extending and cancelling a loan.
- ``handovers``: dispatch, receipt and return, by scanning the headsets' QR labels.
- ``scanning``: reading scans (label addresses or typed tags); missing and extra headsets.
- ``kits``: the checklist of what travels with each headset.
- ``queries``: the loans a staff member sees, one loan in full, derived flags (late, due).
- ``board``: the allocation board (headsets by place × days or weeks).
- ``network``: where every headset is today and next week, use per centre, loans due.

Where a headset *is* stays the business of ``fleet.location`` (one rule for everyone).
"""

"""The headset fleet: inventory, one headset's page, edits, service states and content.

- ``access``: who may see and change a headset.
- ``inventory``: the list of headsets with the facts derived for each.
- ``detail``: one headset's summary and history.
- ``edits``: creating and editing headsets, cleanings, charge records.
- ``state``: service-state changes, refused when they would strand bookings.
- ``content``: videos installed on headsets.
- ``location``: where a headset is (derived from loans).
- ``reservations``: what a headset is reserved for (allocations to sessions).
- ``charge``: battery estimates (pure functions).
"""

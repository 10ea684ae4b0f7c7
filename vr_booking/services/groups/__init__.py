"""Group sessions: workshops, group visits, discovery events and off-site job fairs.

Managers plan them; facilitators run them at the desk (``services/desk``) and close them.

- ``inputs``: what a planning request may hold, checked once for the form and the API
  (kinds, window, ages and the minors' rules, rotation minutes, a forum's place).
- ``allocation``: which headsets can be reserved for a window (at the place, in service,
  not reserved; the blocked range with transport and cleaning), choosing the best, and the
  ``headsets_busy`` refusal naming what holds each clashing headset.
- ``nearest``: the nearest window where a refused request would fit.
- ``planning``: create, edit and cancel, under the centre lock, settling open access.
- ``links``: facilitators, planned jobs and planned videos.
- ``rotation``: rounds of a group larger than its headsets, and the plan's warnings.
- ``roster``: participants (first names or codes, age bands), CSV import with a dry run.
- ``queries``: a session for those who may see it, lists, everything about one session.
- ``closing``: the close gate (debriefing, videos watched, attendance).
- ``calendar``: week and month views, open access and groups together.
- ``feed``: a centre's ICS feed behind an unguessable, revocable address.
"""

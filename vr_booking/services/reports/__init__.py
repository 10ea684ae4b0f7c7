"""Feedback and reports: the exit survey, the activity dashboard, its charts and exports.

- ``survey``: answer the exit survey from a ticket, a roster participant's code or a centre's
  poster (one answer per ticket or participant); what the survey offers to pick from.
- ``invitations``: the sweep that e-mails the survey link after a session.
- ``scope``: who may read which centres' reports; the period and how it is cut in each
  centre's time zone (SQL conditions and month buckets).
- ``sql``: small SQL helpers that differ between SQLite and PostgreSQL (durations).
- Figures, each a fixed number of SQL aggregates grouped by centre, whatever the data size:
  ``activity`` (sessions held by kind, people served), ``utilisation`` (headset hours used /
  available), ``watching`` (videos and jobs watched by sector and ROME domain), ``answers``
  (survey figures), ``incidents``.
- ``dashboard``: the figures of a scope and period together, per centre and in total.
- ``tables``: the dashboard's tables (one definition shared by the page, the CSV and charts).
- ``charts``: bar charts drawn as SVG on the server.
- ``exports``: CSV writing and the small-cell rule for exports meant for outside.
- ``yearly``: the yearly activity report per centre (counts by month and kind, for the label).
- ``esf``: the European Social Fund breakdown of participants by gender, age band,
  labour-market status and ISCED level.
"""

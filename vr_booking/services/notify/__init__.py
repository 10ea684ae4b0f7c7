"""Notifications, background work and data that expires: the sweeps the scheduler calls
(``vr_booking.jobs``) and the visitor's privacy actions.

- ``schedule``: every periodic job, its period and label (one place; jobs.py binds the sweeps).
- ``notices``: the send-once claim (a ``SentNotice`` row) and who at a centre is told.
- ``reminders``: visitors' reminders, the day before at ``reminder_time`` (centre's zone).
- ``digest``: facilitators' evening digest of the next day's sessions and headsets.
- ``offers``: waiting-list offers that lapse and pass on; taking or declining an offer
  (what a freed seat becomes is decided in ``open_access.waitlist.rebalance``).
- ``loans``: return reminders before a loan's end date; ``overdue`` the day after.
- ``retention``: erasing visitors' and participants' personal data after its time.
- ``privacy``: a visitor's own erasure and the download of what is stored about them.
- ``job_runs``: each job's last run for the admins' jobs page; failed e-mails and retries.
- ``display``: the entrance screen's places left (no personal data).

Every sweep claims what it handles with one conditional statement (an ``UPDATE … WHERE`` on
the state it changes, or an ``INSERT … ON CONFLICT DO NOTHING`` of a ``SentNotice``) in the
same transaction as its e-mails (outbox rows), so two processes, a late run or a restart
handle each row once.
"""

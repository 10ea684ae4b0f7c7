"""The job-video catalogue: sectors, jobs (with ROME codes) and 360° videos.

- ``inputs``: the input models shared by the manager forms and the CSV importer.
- ``queries``: the public catalogue (browse, search, one job or video).
- ``texts``: texts in the reader's language (English when given) and their sort order.
- ``sessions``: the next open-access sessions where a headset holds a job's videos.
- ``edits``: managers' edits, retiring items, what the manager pages show.
- ``csv_columns``, ``csv_import``, ``csv_export``: the catalogue as a CSV file.

Which videos are installed on which headset is :mod:`vr_booking.services.fleet.content`.
"""

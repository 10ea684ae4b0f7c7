"""One module per area; each exposes ``router``, included by ``web.app.create_app``."""

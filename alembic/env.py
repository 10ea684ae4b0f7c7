"""Alembic environment: SQLModel metadata, batch mode for SQLite, type comparison on."""

from typing import Any

from sqlalchemy import DateTime
from sqlmodel import SQLModel

import vr_booking.models  # noqa: F401  (registers every table)
from alembic import context
from vr_booking.db import make_engine
from vr_booking.models.base import UTCDateTime

config = context.config
target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our UTC column type as a plain DateTime(timezone=True) in migrations."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def compare_type(_ctx: Any, _col: Any, metadata_col: Any, inspected: Any, _meta: Any) -> Any:
    if isinstance(metadata_col.type, UTCDateTime):
        return not isinstance(inspected, DateTime)
    return None  # default comparison


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=compare_type,
        render_item=render_item,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or _settings_url())
    with engine.connect() as conn:
        _configure(connection=conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def _settings_url() -> str:
    from vr_booking.config import get_settings

    return get_settings().database_url


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

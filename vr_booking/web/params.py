"""Shared request parameter types, bounded so that no input can overflow a database integer
(an offset of 2**63 once made SQLite raise and the API answer 500) or fill memory."""

from typing import Annotated

from fastapi import Form, Path, Query
from pydantic import Field

MAX_ID = 2**31 - 1

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
FormId = Annotated[int, Form(ge=1, le=MAX_ID)]
OptionalFormId = Annotated[int | None, Form(ge=1, le=MAX_ID)]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
# Form fields: a short value (a name, a code, a choice) or a free text (notes, descriptions).
# The services check the real limits and say them in people's words; these only bound input.
FormText = Annotated[str, Form(max_length=200)]
FormNote = Annotated[str, Form(max_length=2000)]
FormIds = Annotated[list[str] | None, Form(description="the ticked checkboxes' values")]


def ids_from(values: list[str] | None) -> list[int]:
    """The valid ids among form values (blank or absurd ones are ignored)."""
    return [int(v) for v in values or [] if v.isascii() and v.isdigit() and 1 <= int(v) <= MAX_ID]

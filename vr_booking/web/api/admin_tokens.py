"""JSON API for one's own API tokens (administrators: anyone's)."""

from datetime import datetime
from typing import Annotated

from fastapi import Query, Response
from pydantic import BaseModel, Field

from vr_booking.models import ApiToken, StaffUser, utcnow
from vr_booking.services.admin import tokens
from vr_booking.web.deps import ApiStaff, SessionDep
from vr_booking.web.params import MAX_ID, Limit, Offset, PathId
from vr_booking.web.routing import APIRouter

router = APIRouter(prefix="/api/v1/tokens", tags=["administration"])
ERRORS = {403: {"description": "Only administrators list other people's tokens"},
          404: {"description": "Unknown token (or not yours)"},
          409: {"description": "The token is already revoked"},
          422: {"description": "Invalid input; `fields` says which"}}


class TokenPublic(BaseModel):
    id: int
    label: str
    owner: str = Field(description="the e-mail of the staff member it acts for")
    created_at: datetime
    expires_at: datetime | None = Field(description="null: never (tokens from the CLI)")
    last_used_at: datetime | None = Field(description="recorded at most every 5 minutes")
    revoked_at: datetime | None


class TokenList(BaseModel):
    items: list[TokenPublic]
    total: int


class TokenCreated(TokenPublic):
    token: str = Field(description="the bearer token itself: shown this once, never again")


class TokenCreate(BaseModel):
    label: str = Field(max_length=80, description="what the token is for")
    expires_in_days: int = Field(default=90, ge=1, le=tokens.MAX_DAYS)


def _public(row: ApiToken, owner: StaffUser) -> TokenPublic:
    return TokenPublic(**row.model_dump(exclude={"staff_id", "token_hash"}), owner=owner.email)


@router.get("", response_model=TokenList, responses=ERRORS,
            summary="List your tokens (administrators: anyone's, with `staff_id`)")
def list_tokens(session: SessionDep, staff: ApiStaff, limit: Limit = 100, offset: Offset = 0,
                staff_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> TokenList:
    owner, rows = tokens.tokens_of(session, staff, staff_id)
    return TokenList(items=[_public(r, owner) for r in rows[offset:offset + limit]],
                     total=len(rows))


@router.post("", response_model=TokenCreated, status_code=201, responses=ERRORS,
             summary="Create a token for yourself; the answer shows it once")
def create_token(body: TokenCreate, session: SessionDep, staff: ApiStaff) -> TokenCreated:
    row, token = tokens.create_token(session, staff, body.label, body.expires_in_days, utcnow())
    return TokenCreated(**_public(row, staff).model_dump(), token=token)


@router.delete("/{id}", status_code=204, response_class=Response, responses=ERRORS,
               summary="Revoke a token (yours; administrators: anyone's)")
def revoke_token(id: PathId, session: SessionDep, staff: ApiStaff) -> Response:
    tokens.revoke_token(session, staff, id, utcnow())
    return Response(status_code=204)

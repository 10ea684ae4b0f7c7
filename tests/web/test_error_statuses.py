"""Every kind of domain error (``vr_booking.services.errors``) has its HTTP status in the web
layer's one table (``vr_booking.web.errors.STATUS_BY_KIND``), and answers with it: JSON with
the stable code in the API, the error page elsewhere; "busy" also says when to retry."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from vr_booking.services import errors
from vr_booking.web.errors import STATUS_BY_KIND, status_of

EXPECTED = [
    (errors.NotFound, 404),
    (errors.Forbidden, 403),
    (errors.InvalidInput, 422),
    (errors.Conflict, 409),
    (errors.TooManyRequests, 429),
    (errors.Busy, 503),
]


def _kinds_of_error(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_kinds_of_error(sub)}
    return found


@pytest.mark.parametrize(("error_class", "status"), EXPECTED)
def test_each_kind_maps_to_its_status(error_class, status):
    assert status_of(error_class("some_code", "Some message.")) == status


def test_every_domain_error_class_is_mapped_and_the_table_has_no_stray_kind():
    classes = {c for c in _kinds_of_error(errors.DomainError) if c.__module__ == errors.__name__}
    assert classes == {cls for cls, _status in EXPECTED}
    assert set(STATUS_BY_KIND) == {cls.kind for cls in classes}
    assert status_of(errors.DomainError("x", "y")) == 409  # the base class is a conflict


@pytest.fixture
def raising_client(app: FastAPI) -> Iterator[TestClient]:
    """Routes that raise each kind, at ``/test/raise/{n}`` and ``/api/v1/test/raise/{n}``."""

    def raise_kind(n: int) -> None:
        error_class = EXPECTED[n][0]
        raise error_class("test_code", "Refused for the test.", {"field": "Wrong."})

    app.add_api_route("/test/raise/{n}", raise_kind, methods=["GET"])
    app.add_api_route("/api/v1/test/raise/{n}", raise_kind, methods=["GET"])
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize(("n", "status"), [(n, status) for n, (_c, status) in enumerate(EXPECTED)])
def test_each_kind_is_answered_with_its_status(raising_client, n, status):
    api = raising_client.get(f"/api/v1/test/raise/{n}")
    assert api.status_code == status
    expected = {"detail": "Refused for the test.", "code": "test_code",
                "fields": {"field": "Wrong."}}
    if status == 422:  # the one shape of every 422 (web/api/responses.py)
        expected["errors"] = [{"loc": ["field"], "msg": "Wrong.", "type": "test_code"}]
    assert api.json() == expected
    page = raising_client.get(f"/test/raise/{n}")
    assert page.status_code == status
    assert 'class="site-header"' in page.text
    assert "Refused for the test." in page.text
    for answer in (api, page):
        assert ("retry-after" in answer.headers) is (status == 503)

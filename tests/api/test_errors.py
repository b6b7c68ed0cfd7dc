"""Bad input gets a clear 4xx in the one error shape, and stores nothing."""

from __future__ import annotations

import re

import sqlalchemy as sa

from xeco.models import Challenge

URL = "/api/v1/challenges"
GOOD = {"title": "Vision inspection", "description": "Find defects on parts quickly."}


def count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Challenge))


def test_malformed_json_is_400(client, db, users, auth):
    headers = auth(users["company"]) | {"Content-Type": "application/json"}
    resp = client.post(URL, data='{"title": "unterminated', headers=headers)
    assert resp.status_code == 400
    assert resp.get_json() == {
        "code": 400,
        "status": "Bad Request",
        "message": "Some fields are invalid; see errors.",
        "errors": {"json": ["Invalid JSON body."]},
    }
    assert count(db) == 0


def test_wrong_content_type_is_415(client, db, users, auth):
    resp = client.post(
        URL,
        data="title=x",
        headers=auth(users["company"]),
        content_type="application/x-www-form-urlencoded",
    )
    assert resp.status_code == 415
    assert resp.get_json() == {
        "code": 415,
        "status": "Unsupported Media Type",
        "message": "Send the body as JSON with 'Content-Type: application/json'.",
    }
    assert count(db) == 0


def test_body_over_one_megabyte_is_413(client, db, users, auth):
    big = dict(GOOD, description="x" * (1024 * 1024 + 10))
    resp = client.post(URL, json=big, headers=auth(users["company"]))
    assert resp.status_code == 413
    assert resp.get_json()["status"] == "Request Entity Too Large"
    assert count(db) == 0


def test_over_long_fields_are_422_with_each_field_named(client, db, users, auth):
    body = dict(GOOD, title="t" * 201, keywords=["k" * 61], region="r" * 81)
    resp = client.post(URL, json=body, headers=auth(users["company"]))
    assert resp.status_code == 422
    errors = resp.get_json()["errors"]["json"]
    assert errors["title"] == ["Length must be between 3 and 200."]
    assert errors["keywords"] == {"0": ["Length must be between 1 and 60."]}
    assert errors["region"] == ["Length must be between 1 and 80."]
    assert count(db) == 0


def test_missing_and_unknown_fields_are_named(client, users, auth):
    resp = client.post(
        URL, json={"title": "Only a title", "owner": 1}, headers=auth(users["company"])
    )
    assert resp.status_code == 422
    assert resp.get_json()["errors"]["json"] == {
        "description": ["Missing data for required field."],
        "owner": ["Unknown field."],
    }


def test_json_that_is_not_an_object_is_422(client, users, auth):
    resp = client.post(URL, json=["a", "list"], headers=auth(users["company"]))
    assert resp.status_code == 422
    assert resp.get_json()["errors"]["json"] == {"_schema": ["Invalid input type."]}


def test_whitespace_is_trimmed_and_blank_title_refused(client, users, auth):
    resp = client.post(URL, json=dict(GOOD, title="   "), headers=auth(users["company"]))
    assert resp.status_code == 422
    ok = client.post(URL, json=dict(GOOD, title="  Padded  "), headers=auth(users["company"]))
    assert ok.get_json()["title"] == "Padded"


def _declares_its_length(resp) -> None:
    assert int(resp.headers["Content-Length"]) == len(resp.get_data())


def test_405_on_every_path_declares_its_true_length(app, client, users, auth):
    """405 and 429 once copied the original Content-Length, longer than the JSON body."""
    paths = {
        re.sub(r"<[^>]+>", "1", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and "static" not in rule.endpoint
    }
    for path in sorted(paths):
        resp = client.open(path, method="TRACE", headers=auth(users["officer"]))
        assert resp.status_code == 405, path
        assert resp.get_json()["code"] == 405 and "Allow" in resp.headers
        _declares_its_length(resp)


def test_pages_answer_405_with_allow_and_their_true_length(client):
    for path in ("/", "/signin", "/review", "/matches/1"):
        resp = client.open(path, method="TRACE")
        assert resp.status_code == 405 and "GET" in resp.headers["Allow"], path
        _declares_its_length(resp)


def test_429_declares_its_true_length(client):
    body = {"email": "nobody@example.com", "password": "wrong-password"}
    for _ in range(11):
        resp = client.post("/api/v1/auth/token", json=body)
    assert resp.status_code == 429
    assert resp.get_json()["code"] == 429
    _declares_its_length(resp)


def test_deeply_nested_json_is_400(client, db, users, auth):
    headers = auth(users["company"]) | {"Content-Type": "application/json"}
    resp = client.post(URL, data="[" * 100_000 + "]" * 100_000, headers=headers)
    assert resp.status_code == 400
    assert resp.get_json()["message"] == "The JSON body is nested too deeply."


def test_a_token_for_an_absurd_user_id_is_401(app, client):
    from flask_jwt_extended import create_access_token

    for sub in ("9" * 40, "-1", "0", "१२", "1e9"):
        with app.test_request_context():
            token = create_access_token(identity=sub)
        resp = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 401, sub


def test_a_company_posting_an_invalid_capability_is_refused_for_its_role(client, users, auth):
    for body in ({}, {"title": "x"}, {"title": "A fine capability", "summary": "Long enough."}):
        resp = client.post("/api/v1/capabilities", json=body, headers=auth(users["company"]))
        assert resp.status_code == 403, body
    # Changing another's item: not allowed, whatever the body.
    from tests.factories import CapabilityFactory

    cap = CapabilityFactory(owner=users["researcher"])
    for who in ("company", "agency", "institute"):
        resp = client.patch(
            f"/api/v1/capabilities/{cap.id}", json={"title": ""}, headers=auth(users[who])
        )
        assert resp.status_code in (403, 404), who


def test_patching_publications_keeps_their_required_fields(client, db, users, auth):
    from tests.factories import CapabilityFactory

    cap = CapabilityFactory(owner=users["researcher"])
    db.session.commit()
    body = {"publications": [{"doi": "10.0000/0", "year": 1900}]}
    resp = client.patch(f"/api/v1/capabilities/{cap.id}", json=body, headers=auth(users["officer"]))
    assert resp.status_code == 422
    assert resp.get_json()["errors"]["json"] == {
        "publications": {"0": {"title": ["Missing data for required field."]}}
    }
    assert (
        client.patch(
            f"/api/v1/capabilities/{cap.id}", json={"capacity": 4}, headers=auth(users["officer"])
        ).status_code
        == 200
    )


def test_long_lists_are_refused_before_their_items_are_read(client, users, auth):
    """A 1 MB body of 70,000 publications once cost most of a second of CPU to refuse."""
    import time

    body = {"title": "Vision lab", "summary": "Deep learning for inspection images."}
    for field, items in (
        ("publications", [{"title": "a"}] * 60_000),
        ("keywords", ["a"] * 200_000),
        ("sectors", ["other"] * 100_000),
    ):
        start = time.thread_time()
        resp = client.post(
            "/api/v1/capabilities", json=body | {field: items}, headers=auth(users["researcher"])
        )
        spent = time.thread_time() - start
        assert resp.status_code == 422
        assert resp.get_json()["errors"]["json"][field][0].startswith("Longer than maximum")
        assert spent < 0.5, (field, spent)


def test_every_list_an_api_reads_is_bounded_before_reading():
    from marshmallow import Schema, fields

    from xeco.schemas import capabilities, challenges, common, programmes, users, workflow
    from xeco.schemas.common import BoundedList

    unbounded = []
    for module in (capabilities, challenges, common, programmes, users, workflow):
        for name, schema in vars(module).items():
            is_schema = isinstance(schema, type) and issubclass(schema, Schema)
            if not is_schema or name.endswith("PageSchema"):  # pages are only written
                continue
            for field_name, field in schema._declared_fields.items():
                loaded = isinstance(field, fields.List) and not field.dump_only
                if loaded and not isinstance(field, BoundedList):
                    unbounded.append(f"{name}.{field_name}")
    # Results and summaries are only written.
    output = {"BulkResultsSchema.results", "SummarySchema.by_month"}
    output |= {"SummarySchema.by_sector_month", "SummarySchema.funnel"}
    assert sorted(set(unbounded) - output) == []

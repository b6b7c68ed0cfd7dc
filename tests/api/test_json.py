"""JSON answers through orjson keep Flask's rules; JSON columns read back whatever was stored."""

import json
import math
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tests.factories import ChallengeFactory
from xeco.jsonio import loads_column
from xeco.models import Challenge

COMPACT = {"separators": (",", ":")}


def test_answers_keep_sorted_keys_and_send_chinese_as_utf8(app):
    out = app.json.dumps({"b": 1, "a": "锂电池", 3: [1.5, None]}, **COMPACT)
    assert out == '{"3":[1.5,null],"a":"锂电池","b":1}'
    # The standard library's answer, apart from its \\u escapes, is the same JSON.
    assert json.loads(out) == json.loads(json.dumps({"b": 1, "a": "锂电池", "3": [1.5, None]}))


def test_dates_stay_http_dates_and_odd_values_still_encode(app):
    when = datetime(2026, 11, 28, 1, 2, 3, tzinfo=UTC)
    out = json.loads(app.json.dumps({"at": when, "on": date(2026, 11, 28)}, **COMPACT))
    assert out == {"at": "Sat, 28 Nov 2026 01:02:03 GMT", "on": "Sat, 28 Nov 2026 00:00:00 GMT"}
    assert app.json.dumps({"x": math.nan}, **COMPACT) == '{"x":null}'
    assert app.json.dumps({"big": 2**70}, **COMPACT) == f'{{"big":{2**70}}}'  # beyond orjson
    assert app.json.dumps({"a": 1}, indent=2) == '{\n  "a": 1\n}'  # other options: stdlib


def test_an_api_answer_is_utf8_json(client, db, users, auth):
    ChallengeFactory(organisation=users["company"].organisation, title="锂电池回收")
    db.session.commit()
    resp = client.get("/api/v1/challenges?q=锂电池", headers=auth(users["company"]))
    assert resp.status_code == 200
    assert "锂电池回收".encode() in resp.data
    assert resp.json["items"][0]["title"] == "锂电池回收"


def test_loads_column_reads_what_the_standard_library_wrote():
    assert loads_column('{"a": [1, "锂"]}') == {"a": [1, "锂"]}
    assert math.isnan(loads_column("[NaN]")[0])


def test_json_columns_read_back_rows_the_standard_library_wrote(db, users, dialect):
    if dialect == "postgresql":
        pytest.skip("PostgreSQL's json type refuses NaN; SQLite stores what json.dumps wrote")
    challenge = ChallengeFactory(organisation=users["company"].organisation)
    db.session.flush()
    # A value orjson refuses (json.dumps writes NaN) is still read.
    db.session.execute(
        sa.update(Challenge).where(Challenge.id == challenge.id).values(keywords=["a", math.nan])
    )
    db.session.expire_all()
    keywords = db.session.get(Challenge, challenge.id).keywords
    assert keywords[0] == "a" and math.isnan(keywords[1])

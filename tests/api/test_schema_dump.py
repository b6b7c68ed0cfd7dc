"""The planned dump (xeco/schemas/base.py) gives marshmallow's own output, key for key."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from marshmallow import fields

from xeco.models import Match, MatchStatus, Role, User
from xeco.schemas import base
from xeco.schemas.base import Schema


@pytest.fixture
def reference(monkeypatch):
    """``reference(fn)``: what ``fn()`` gives with every schema dumped by marshmallow alone."""

    def run(fn):
        monkeypatch.setattr(base, "PLANNED", False)
        try:
            return fn()
        finally:
            monkeypatch.setattr(base, "PLANNED", True)

    return run


class Colour(enum.Enum):
    RED = "red"


class Inner(Schema):
    n = fields.Integer()
    label = fields.String(data_key="name")


class Everything(Schema):
    i = fields.Integer()
    f = fields.Float()
    d = fields.Decimal()
    s = fields.String(allow_none=True)
    b = fields.Boolean()
    when = fields.DateTime()
    day = fields.Date()
    stamp = fields.DateTime(format="%Y/%m/%d")
    by_value = fields.Enum(Colour, by_value=True)
    by_name = fields.Enum(Colour)
    words = fields.List(fields.String())
    inner = fields.Nested(Inner)
    inners = fields.List(fields.Nested(Inner))
    many = fields.Nested(Inner, many=True)
    only = fields.Nested(Inner, only=("n",))
    renamed = fields.String(attribute="other")
    deep = fields.String(attribute="inner.label")
    absent = fields.String()
    defaulted = fields.String(dump_default="d")
    computed = fields.Method("_computed")
    uuid = fields.UUID()
    raw = fields.Raw()

    def _computed(self, obj):
        return f"computed {obj.get('i') if isinstance(obj, dict) else getattr(obj, 'i', None)}"


def thing(**over):
    inner = SimpleNamespace(n=1, label="one")
    values = dict(
        i=3,
        f=1,
        d=decimal.Decimal("1.50"),
        s=b"bytes",
        b=1,
        when=dt.datetime(2026, 12, 6, 9, 30, tzinfo=dt.UTC),
        day=dt.date(2026, 12, 6),
        stamp=dt.datetime(2026, 12, 6),
        by_value=Colour.RED,
        by_name=Colour.RED,
        words=["a", 2],
        inner=inner,
        inners=[inner, inner],
        many=(inner,),
        only=inner,
        other="o",
        uuid="5f0e2d2c-7f1c-4d6e-9a53-3c1f6f0b9a01",
        raw={"x": [1]},
    )
    values.update(over)
    return SimpleNamespace(**values)


@pytest.mark.parametrize(
    "obj",
    [
        thing(),
        thing(i=None, f=None, s=None, b=None, when=None, day=None, by_value=None, inner=None),
        thing(b="no", words=None, inners=[], many=None, raw=None),
        {"i": "7", "s": 5, "b": True, "words": ("x",), "inner": {"n": 2, "label": None}},
        None,
    ],
    ids=["values", "nones", "odd", "mapping", "none"],
)
def test_every_field_kind_dumps_as_marshmallow_does(reference, obj):
    schema = Everything()
    planned = schema.dump(obj)
    assert planned == reference(lambda: schema.dump(obj))
    assert list(planned) == list(reference(lambda: schema.dump(obj)))
    both = [obj, obj]
    assert schema.dump(both, many=True) == reference(lambda: schema.dump(both, many=True))


def test_unknown_fields_are_left_to_marshmallow():
    schema = Everything()
    schema.dump(thing())
    by_key = {key: convert for key, _attr, convert, _default, _field in schema._planned}
    for key in ("d", "only", "deep", "computed"):
        assert by_key[key] is None, key
    for key in ("i", "s", "b", "when", "day", "stamp", "by_value", "words", "inner", "many"):
        assert by_key[key] is not None, key


@pytest.fixture
def world(app, db):
    """The demo set, matched, with a match of each state an officer leaves."""
    from xeco.services import demo, matching

    demo.load()
    db.session.commit()
    from xeco.models import Challenge

    ids = db.session.scalars(sa.select(Challenge.id)).all()
    matching.match_challenges(ids, matching.current_indexes())
    db.session.commit()
    matches = db.session.scalars(sa.select(Match).order_by(Match.id)).all()
    assert len(matches) >= 3
    matches[0].status = MatchStatus.APPROVED
    matches[1].status = MatchStatus.REJECTED
    matches[1].decision_reason = "Not a fit."
    db.session.commit()
    return matches


def test_every_api_read_answers_the_same_json(client, db, auth, world, reference):
    staff = db.session.scalar(sa.select(User).where(User.role == Role.OFFICER))
    admin = db.session.scalar(sa.select(User).where(User.role == Role.ADMIN))
    match = world[0]
    paths = [
        "/api/v1/me",
        "/api/v1/challenges",
        "/api/v1/challenges?q=battery&per_page=5",
        "/api/v1/capabilities",
        "/api/v1/programmes",
        "/api/v1/matches",
        "/api/v1/matches?status=proposed",
        f"/api/v1/matches/{match.id}",
        f"/api/v1/matches/{match.id}/notes",
        f"/api/v1/challenges/{match.challenge_id}",
        f"/api/v1/challenges/{match.challenge_id}/matches",
        f"/api/v1/capabilities/{match.capability_id}",
        "/api/v1/notifications",
        "/api/v1/matching/runs",
        "/api/v1/reports/summary",
        "/api/v1/users",
        "/api/v1/audit",
    ]
    if match.challenge.organisation_id:
        paths.append(f"/api/v1/organisations/{match.challenge.organisation_id}")
    compared = 0
    for viewer in (staff, admin, match.challenge.author, match.capability.owner):
        headers = auth(viewer)
        for path in paths:
            planned = client.get(path, headers=headers)
            plain = reference(lambda path=path, headers=headers: client.get(path, headers=headers))
            assert planned.status_code == plain.status_code, path
            assert planned.data == plain.data, (viewer.role, path)
            compared += planned.status_code == 200
    assert compared > 40

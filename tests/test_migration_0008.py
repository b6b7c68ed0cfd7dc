"""Migration 0008 with data, down and up again, on SQLite and PostgreSQL: notifications about
a match become parameters; rows written as parameters keep a title when going back."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.conftest import _pg_database, make_test_app
from tests.factories import CapabilityFactory, ChallengeFactory, MatchFactory, UserFactory
from xeco.extensions import db
from xeco.models import EmailOutbox, MatchMessage, Notification, Role


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_app(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}" if request.param == "sqlite" else _pg_database(request)
    app = make_test_app(url, str(tmp_path))
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_0008_goes_down_and_up_with_data(fresh_app):
    company = UserFactory(role=Role.COMPANY, locale="zh")
    match = MatchFactory(
        challenge=ChallengeFactory(author=company, title="焊缝检测"),
        capability=CapabilityFactory(title="Weld lab"),
        note_to_parties="Call them",
    )
    db.session.add_all(
        [
            # As written before 0008: English text, no parameters.
            Notification(
                user_id=company.id,
                kind="introduced",
                title="Introduction: Weld lab",
                body="Your challenge ...",
                match_id=match.id,
            ),
            Notification(user_id=company.id, kind="membership", title="You are now a member"),
            Notification(user_id=company.id, kind="stalled", params={"x": 1}, match_id=match.id),
            EmailOutbox(to=company.email, kind="message", params={}, user_id=company.id),
            MatchMessage(match_id=match.id, author_id=company.id, body="Hello"),
        ]
    )
    db.session.commit()
    names = (match.challenge.organisation.name, match.capability.organisation.name)
    db.session.remove()

    downgrade(revision="0007_accounts")
    titles = db.session.execute(sa.text("SELECT kind, title FROM notifications ORDER BY id")).all()
    assert titles == [
        ("introduced", "Introduction: Weld lab"),
        ("membership", "You are now a member"),
        ("stalled", "stalled"),
    ]
    assert db.session.execute(sa.text("SELECT subject FROM email_outbox")).scalar() == "message"
    db.session.remove()

    upgrade()
    rows = db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()
    introduced, membership, stalled = rows
    assert introduced.title is None and introduced.params == {
        "challenge": "焊缝检测",
        "capability": "Weld lab",
        "company": names[0],
        "provider": names[1],
        "side": "company",
        "note": "Call them",
    }
    assert membership.params is None and membership.title == "You are now a member"
    assert stalled.kind == "stalled" and stalled.title == "stalled"

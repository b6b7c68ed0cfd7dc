"""The foundation: settings, the app factory, migrations on both databases, health, CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from config.settings import DEV_SECRET, normalise_database_url
from xeco import create_app
from xeco.extensions import db as _db
from xeco.models import Role, User, search


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_plain_database_urls_are_accepted(given, expected):
    assert normalise_database_url(given) == expected


def test_production_refuses_the_dev_secret(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(
            {"ENV_NAME": "production", "SECRET_KEY": DEV_SECRET, "INSTANCE_PATH": str(tmp_path)}
        )


def test_production_starts_with_a_real_secret(tmp_path):
    app = create_app(
        {"ENV_NAME": "production", "SECRET_KEY": "s" * 40, "INSTANCE_PATH": str(tmp_path)}
    )
    assert app.config["ENV_NAME"] == "production"


def test_models_and_migrations_agree(app):
    """Alembic sees nothing to generate: the migrations build exactly the models' schema."""
    conn = _db.session.connection()
    context = MigrationContext.configure(conn, opts={"include_object": search.declared_elsewhere})
    diff = compare_metadata(context, _db.metadata)
    assert diff == []


def test_health_reports_database_and_broker(client, dialect):
    resp = client.get("/api/v1/health")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["kind"] == dialect
    assert body["broker"]["ok"] is True
    assert body["pending_jobs"] == 0


def test_health_is_degraded_when_the_broker_is_unreachable(app):
    broken = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "INSTANCE_PATH": app.config["INSTANCE_PATH"],
            "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
        }
    )
    resp = broken.test_client().get("/api/v1/health")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "degraded"
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True
    with broken.app_context():
        _db.engine.dispose()


def test_unknown_route_answers_json_404(client):
    resp = client.get("/api/v1/no-such-thing")
    assert resp.status_code == 404
    assert resp.get_json()["code"] == 404
    assert resp.get_json()["status"] == "Not Found"


def test_wrong_method_answers_json_405(client):
    resp = client.delete("/api/v1/health")
    assert resp.status_code == 405
    assert resp.get_json()["status"] == "Method Not Allowed"
    assert "GET" in resp.headers["Allow"]


def test_match_pair_is_unique(app, db, dialect):
    from tests.factories import CapabilityFactory, ChallengeFactory, MatchFactory

    match = MatchFactory()
    db.session.flush()
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        MatchFactory(challenge=match.challenge, capability=match.capability)
    assert ChallengeFactory and CapabilityFactory


def test_enum_columns_are_constrained(app, db):
    from tests.factories import UserFactory

    user = UserFactory()
    db.session.flush()
    with pytest.raises(sa.exc.StatementError), db.session.begin_nested():
        db.session.execute(sa.update(User).where(User.id == user.id).values(role="superuser"))


def test_password_is_hashed_with_argon2(app, db):
    from xeco.services.users import create_user

    user = create_user("Someone@Example.com", "correct horse", Role.OFFICER)
    assert user.email == "someone@example.com"
    assert user.password_hash.startswith("$argon2")
    assert user.check_password("correct horse")
    assert not user.check_password("wrong horse")


def test_cli_creates_a_user(backend, tmp_path):
    _, app = backend
    runner = app.test_cli_runner()
    email = f"admin-{tmp_path.name}@example.com"
    result = runner.invoke(
        args=["users", "create", email, "--role", "admin", "--password", "longenough1"]
    )
    assert result.exit_code == 0, result.output
    assert "created admin" in result.output
    again = runner.invoke(
        args=["users", "create", email, "--role", "admin", "--password", "longenough1"]
    )
    assert again.exit_code != 0
    assert "exists already" in again.output
    short = runner.invoke(
        args=["users", "create", "x" + email, "--role", "officer", "--password", "short"]
    )
    assert short.exit_code != 0
    assert "At least 8 characters" in short.output
    with app.app_context():
        user_id = _db.session.scalar(sa.select(User.id).where(User.email == email))
        _db.session.execute(sa.text("DELETE FROM audit_log WHERE actor_id = :u"), {"u": user_id})
        _db.session.execute(sa.delete(User).where(User.id == user_id))
        _db.session.commit()


def test_flask_cli_entry_point_lists_commands():
    out = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "xeco", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for command in ("users", "seed", "serve", "db"):
        assert command in out


def test_swagger_ui_works_without_a_cdn(client):
    import re

    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.get_data(as_text=True))
    assert len(assets) == 3 and all(a.startswith("/static/vendor/swagger-ui/") for a in assets)
    for asset in assets:
        with client.get(asset) as resp:  # a file response: close it
            assert resp.status_code == 200
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_production_refuses_the_dev_jwt_secret(tmp_path):
    with pytest.raises(RuntimeError, match="JWT_SECRET_KEY"):
        create_app(
            {
                "ENV_NAME": "production",
                "SECRET_KEY": "s" * 40,
                "JWT_SECRET_KEY": DEV_SECRET,
                "INSTANCE_PATH": str(tmp_path),
            }
        )


def test_a_default_install_makes_its_own_key_and_refuses_forged_tokens(tmp_path):
    """The public dev key once signed sessions and tokens: anyone could forge an admin."""
    import jwt as pyjwt

    config = {"ENV_NAME": "development", "INSTANCE_PATH": str(tmp_path)}
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'x.db'}"
    app = create_app(config)
    key = (tmp_path / "secret_key").read_text().strip()
    assert app.config["SECRET_KEY"] == app.config["JWT_SECRET_KEY"] == key != DEV_SECRET
    assert len(key) == 64 and (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert create_app(config).config["SECRET_KEY"] == key  # kept across restarts
    forged = pyjwt.encode({"sub": "1", "type": "access", "fresh": False}, DEV_SECRET, "HS256")
    resp = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert resp.status_code == 401

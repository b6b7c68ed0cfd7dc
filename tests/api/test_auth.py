from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.api.test_accounts import verify
from tests.factories import PASSWORD, UserFactory
from xeco.models import AuditEntry, EmailOutbox, Organisation, User


def register(client, **over):
    body = {
        "email": "new@example.com",
        "password": "a-long-password",
        "name": "New Person",
        "role": "company",
        "organisation": {"name": "Suzhou Nano Things", "region": "Suzhou"},
    }
    body.update(over)
    return client.post("/api/v1/auth/register", json=body)


@pytest.mark.parametrize("role", ["company", "researcher", "institute", "agency"])
def test_each_public_role_can_register_sign_in_and_read_me(client, db, role):
    resp = register(
        client, role=role, email=f"{role}@example.com", organisation={"name": f"Org of {role}"}
    )
    assert resp.status_code == 201, resp.get_json()
    user = resp.get_json()
    assert user["role"] == role and user["membership"] == "active"
    assert "password" not in user and "password_hash" not in user and "id" not in user
    credentials = {"email": f"{role.upper()}@example.com", "password": "a-long-password"}
    # No token until the link sent to the address is followed.
    assert client.post("/api/v1/auth/token", json=credentials).status_code == 401
    verify(client, db, f"{role}@example.com")
    token = client.post("/api/v1/auth/token", json=credentials)
    assert token.status_code == 200
    body = token.get_json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.get_json()["email"] == f"{role}@example.com"
    assert me.get_json()["organisation"]["name"] == f"Org of {role}"


@pytest.mark.parametrize("role", ["officer", "admin", "superuser"])
def test_staff_roles_cannot_self_register(client, db, role):
    resp = register(client, role=role)
    assert resp.status_code == 422
    assert resp.get_json() == {
        "code": 422,
        "status": "Unprocessable Entity",
        "message": "Some fields are invalid; see errors.",
        "errors": {"json": {"role": ["Must be one of: company, researcher, institute, agency."]}},
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_a_taken_address_is_answered_as_a_new_one_and_stores_nothing(client, db):
    """Once a taken address answered 409 and a new one 201: a list of addresses could be
    checked one by one. Now the answers are the same, and signing in afterwards with the
    password just chosen fails for both until the address's link is followed."""
    assert register(client, email="first@example.com", organisation={"name": "Another Org"})
    assert register(client).status_code == 201
    fresh = register(client, email="fresh@example.com", organisation={"name": "Another Org"})
    again = register(client, organisation={"name": "Another Org"})
    assert again.status_code == fresh.status_code == 201
    assert again.get_json() == fresh.get_json() | {"email": "new@example.com"}
    names = db.session.scalars(sa.select(Organisation.name).order_by(Organisation.name)).all()
    assert names == ["Another Org", "Suzhou Nano Things"]
    assert db.session.scalar(sa.select(User.organisation_id).where(User.email == "new@example.com"))
    for email in ("fresh@example.com", "new@example.com"):
        token = client.post(
            "/api/v1/auth/token", json={"email": email, "password": "a-long-password"}
        )
        assert token.status_code == 401
        assert token.get_json()["message"] == WRONG
    # The address's owner hears of the attempt.
    notice = db.session.scalars(
        sa.select(EmailOutbox).where(EmailOutbox.subject.contains("tried to register"))
    ).one()
    assert notice.to == "new@example.com"


def test_the_taken_address_notice_is_in_its_owners_language(client, db):
    assert register(client).status_code == 201
    owner = db.session.scalar(sa.select(User).where(User.email == "new@example.com"))
    owner.locale = "zh"
    db.session.commit()
    assert register(client, organisation={"name": "Another Org"}).status_code == 201
    notice = db.session.scalars(
        sa.select(EmailOutbox).where(EmailOutbox.to == owner.email).order_by(EmailOutbox.id.desc())
    ).first()
    assert "有人尝试" in notice.subject and "请直接登录" in notice.body


WRONG = "Wrong e-mail or password, or the address is not confirmed yet."


def test_a_taken_organisation_name_is_joined_pending_not_claimed(client, db):
    first = register(client)
    assert first.status_code == 201
    assert first.get_json()["membership"] == "active"
    resp = register(
        client, email="intruder@example.com", organisation={"name": "  suzhou   NANO things "}
    )
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["membership"] == "pending"
    assert body["organisation"] == {"name": "Suzhou Nano Things"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1
    founder, intruder = db.session.scalars(sa.select(User).order_by(User.id)).all()
    assert founder.org_admin and not intruder.org_admin
    assert intruder.organisation_id == founder.organisation_id


def test_wrong_password_is_401_without_saying_which_part(client):
    register(client)
    for email, pw in (("new@example.com", "wrong-password"), ("nobody@example.com", "x" * 10)):
        resp = client.post("/api/v1/auth/token", json={"email": email, "password": pw})
        assert resp.status_code == 401
        assert resp.get_json() == {
            "code": 401,
            "status": "Unauthorized",
            "message": WRONG,
        }


def test_bad_tokens_are_401(client, app):
    for header in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}):
        resp = client.get("/api/v1/me", headers=header)
        assert resp.status_code == 401
        assert resp.get_json()["code"] == 401
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_401(client, app, users):
    from datetime import timedelta

    from flask_jwt_extended import create_access_token

    token = create_access_token(identity=users["company"], expires_delta=timedelta(seconds=-1))
    resp = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401
    assert resp.get_json()["message"] == "Token expired; sign in again."


def test_deactivated_user_token_stops_working(client, users, auth):
    headers = auth(users["company"])
    admin = auth(users["admin"])
    resp = client.patch(
        f"/api/v1/users/{users['company'].id}", json={"active": False}, headers=admin
    )
    assert resp.status_code == 200
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_admin_creates_an_officer_who_can_sign_in(client, db, users, auth):
    resp = client.post(
        "/api/v1/users",
        headers=auth(users["admin"]),
        json={
            "email": "tto@example.com",
            "password": "officer-pass",
            "name": "TTO",
            "role": "officer",
        },
    )
    assert resp.status_code == 201
    assert resp.get_json()["role"] == "officer"
    token = client.post(
        "/api/v1/auth/token", json={"email": "tto@example.com", "password": "officer-pass"}
    )
    assert token.status_code == 200
    entry = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.object_type == "users", AuditEntry.object_id == resp.get_json()["id"]
        )
    ).one()
    assert entry.actor_id == users["admin"].id
    assert entry.action == "create"


def test_admin_cannot_put_a_researcher_in_a_company(client, users, auth):
    resp = client.post(
        "/api/v1/users",
        headers=auth(users["admin"]),
        json={
            "email": "r2@example.com",
            "password": "password-1",
            "name": "R2",
            "role": "researcher",
            "organisation_id": users["company"].organisation_id,
        },
    )
    assert resp.status_code == 422
    assert "belongs to a university" in resp.get_json()["errors"]["json"]["organisation_id"][0]


def test_sign_in_is_rate_limited(client):
    register(client)
    codes = [
        client.post(
            "/api/v1/auth/token", json={"email": "new@example.com", "password": "nope-nope"}
        ).status_code
        for _ in range(12)
    ]
    assert codes[:9] == [401] * 9
    assert codes[-1] == 429
    last = client.post("/api/v1/auth/token", json={"email": "new@example.com", "password": "x"})
    assert last.get_json()["code"] == 429
    assert last.get_json()["status"] == "Too Many Requests"
    assert "Retry-After" in last.headers


def test_rate_limits_are_kept_in_redis_when_configured(backend, tmp_path):
    import redis as redis_lib

    from tests.conftest import REDIS_URL, make_test_app, service_missing

    client = redis_lib.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis_lib.exceptions.ConnectionError as err:
        service_missing("Redis", err)
    _, base = backend
    app = make_test_app(
        base.config["SQLALCHEMY_DATABASE_URI"],
        str(tmp_path),
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_AUTH="2 per minute",
    )
    web = app.test_client()
    codes = [
        web.post("/api/v1/auth/token", json={"email": "a@b.c", "password": "x"}).status_code
        for _ in range(3)
    ]
    assert codes == [401, 401, 429]
    assert any(b"LIMITS" in key or b"limiter" in key.lower() for key in client.keys("*"))
    client.flushdb()
    client.close()
    with app.app_context():
        from xeco.extensions import db

        db.engine.dispose()


def _token(client, user) -> dict:
    body = {"email": user.email, "password": PASSWORD}
    token = client.post("/api/v1/auth/token", json=body).get_json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_a_token_can_be_revoked_and_then_stops_working(client, users):
    first, second = _token(client, users["company"]), _token(client, users["company"])
    assert client.delete("/api/v1/auth/token", headers=first).status_code == 204
    resp = client.get("/api/v1/me", headers=first)
    assert resp.status_code == 401 and resp.get_json()["message"] == "Token revoked."
    assert client.get("/api/v1/me", headers=second).status_code == 200


def test_revoking_everywhere_ends_every_token(client, users):
    first, second = _token(client, users["company"]), _token(client, users["company"])
    resp = client.delete("/api/v1/auth/token?everywhere=true", headers=first)
    assert resp.status_code == 204
    for headers in (first, second):
        assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get("/api/v1/me", headers=_token(client, users["company"])).status_code == 200


@pytest.mark.parametrize(
    "password", ["12345678", "password123", "qwertyuiop", "11111111", "new@example.com"]
)
def test_common_and_trivial_passwords_are_refused(client, db, password):
    resp = register(client, password=password)
    assert resp.status_code == 422
    assert resp.get_json()["errors"]["json"]["password"][0].startswith("Too easy to guess")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


@pytest.mark.parametrize(
    ("email", "organisation"),
    [
        ("other@example.com", "Ｓｕｚｈｏｕ Ｎａｎｏ Things"),  # full-width letters
        ("other@example.com", "Suzhou Na\u200bno\u200d Things"),  # zero-width characters
        ("other@example.com", "Suzhou\u00a0Nano\u2003Things"),  # other spaces
        ("ｎｅｗ@example.com", "A Different Org"),
        ("new@ｅｘａｍｐｌｅ.com", "A Different Org"),
    ],
)
def test_look_alike_names_and_addresses_are_taken(client, db, email, organisation):
    assert register(client).status_code == 201
    resp = register(client, email=email, organisation={"name": organisation})
    if email == "other@example.com":  # the same organisation, asked to let them in
        assert resp.status_code == 201, resp.get_json()
        assert resp.get_json()["organisation"]["name"] == "Suzhou Nano Things"
        assert resp.get_json()["membership"] == "pending"
    else:  # taken: answered as any registration, and nothing made
        assert resp.status_code == 201, resp.get_json()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1


@pytest.mark.parametrize(
    ("email", "organisation"),
    [
        ("STRASSE@example.com", "École Polytechnique"),  # case-folded: ß is ss
        ("straße@example.com", "ÉCOLE POLYTECHNIQUE"),  # non-ASCII capitals on SQLite too
    ],
)
def test_names_and_addresses_compare_case_folded(client, db, email, organisation):
    first = register(
        client, email="strasse@example.com", organisation={"name": "école polytechnique"}
    )
    assert first.status_code == 201
    resp = register(client, email=email, organisation={"name": organisation})
    assert resp.status_code == 201, resp.get_json()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    joined = register(client, email="x@example.com", organisation={"name": organisation})
    assert joined.get_json()["membership"] == "pending"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1


def test_names_are_stored_as_they_look(client, db):
    resp = register(client, email="ＬＩ@Example.com", organisation={"name": "Gusu\u200b Labs"})
    assert resp.status_code == 201
    assert resp.get_json()["email"] == "li@example.com"
    assert resp.get_json()["organisation"]["name"] == "Gusu Labs"


def test_a_wrong_password_costs_the_same_for_known_and_unknown_addresses(
    app, db, users, monkeypatch
):
    """A known address once took ~180 ms (argon2), an unknown one ~5 ms."""
    import time

    from xeco.services.users import authenticate

    # At the production cost: the test profile is too cheap for the difference to show.
    monkeypatch.setitem(app.config, "PASSWORD_HASH_PROFILE", "RFC_9106_LOW_MEMORY")
    users["company"].set_password("the-company-password")
    db.session.commit()

    def slowest(email: str) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            assert authenticate(email, "wrong-password-here") is None
            times.append(time.perf_counter() - start)
        return min(times)

    known, unknown = slowest(users["company"].email), slowest("nobody@example.com")
    assert unknown > 0.5 * known, (known, unknown)


def test_only_an_account_that_never_confirmed_nor_signed_in_is_held_back(app, db):
    """Registering must not make an account a stranger can sign in to; someone who signed in
    before and then changed address keeps signing in while the new address waits."""
    from xeco.models.base import utcnow
    from xeco.services.users import authenticate

    new = UserFactory(email="new@example.com", email_verified_at=None, last_login_at=None)
    moved = UserFactory(email="moved@example.com", email_verified_at=None, last_login_at=utcnow())
    db.session.commit()
    assert authenticate(new.email, PASSWORD) is None
    assert authenticate(moved.email, PASSWORD) == moved


def test_a_tokens_signature_is_checked_once_per_process(client, users, auth, monkeypatch):
    from flask_jwt_extended import JWTManager

    full = []
    decode = JWTManager._decode_jwt_from_config

    def counted(self, *args, **kwargs):
        full.append(1)
        return decode(self, *args, **kwargs)

    monkeypatch.setattr(JWTManager, "_decode_jwt_from_config", counted)
    headers = auth(users["company"])
    for _ in range(3):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert len(full) == 1


def test_a_kept_token_still_expires_and_a_forged_one_is_refused(app, client, users):
    import time
    from datetime import timedelta

    from flask_jwt_extended import create_access_token, decode_token

    token = create_access_token(identity=users["company"], expires_delta=timedelta(seconds=1))
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    head, payload, signature = token.split(".")
    forged = {"Authorization": f"Bearer {head}.{payload}.{signature[::-1]}"}
    assert client.get("/api/v1/me", headers=forged).status_code == 401
    # allow_expired: on a slow host the second may be over already.
    expires = decode_token(token, allow_expired=True)["exp"]
    time.sleep(max(0.0, expires - time.time()) + 0.2)
    resp = client.get("/api/v1/me", headers=headers)
    assert resp.status_code == 401 and resp.get_json()["message"] == "Token expired; sign in again."


def test_a_token_of_another_key_is_refused_after_ours_was_kept(backend, client, users, tmp_path):
    from flask_jwt_extended import create_access_token

    from tests.conftest import make_test_app

    token = create_access_token(identity=users["company"])
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    _, base = backend
    other = make_test_app(
        base.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path), JWT_SECRET_KEY="another-key" * 4
    )
    resp = other.test_client().get("/api/v1/me", headers=headers)
    assert resp.status_code == 401
    assert resp.get_json()["message"] == "Invalid token: Signature verification failed"


def test_every_rate_limit_is_on_a_post():
    """Reads skip the limiter (xeco/extensions.py): a limit set on any other method would
    silently never apply."""
    import re
    from pathlib import Path

    import xeco

    calls = [
        call
        for path in Path(xeco.__file__).parent.rglob("*.py")
        for call in re.findall(r"limiter\.limit\(([^)]*)\)", path.read_text(encoding="utf-8"))
    ]
    assert len(calls) >= 5
    assert all('methods=["POST"]' in call for call in calls), calls


def test_a_read_passes_the_limiter_before_it_resolves_any_limit(client, users, auth, monkeypatch):
    """Resolving a read's limits (none apply) cost 2.5% of the web's CPU under load."""
    from xeco.extensions import limiter

    resolved = []
    original = limiter.identify_request

    def identify():
        resolved.append(True)
        return original()

    monkeypatch.setattr(limiter, "identify_request", identify)
    assert client.get("/api/v1/me", headers=auth(users["company"])).status_code == 200
    assert resolved == []
    client.post("/api/v1/auth/token", json={"email": "x@example.com", "password": "nope"})
    assert resolved, "a post's limits were not looked for"

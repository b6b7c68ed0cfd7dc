from __future__ import annotations

import contextlib
import enum
import secrets
from datetime import datetime
from functools import cache

import argon2.profiles
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xeco.models.base import Timestamped, UTCDateTime, db, str_enum

DEFAULT_HASH_PROFILE = "RFC_9106_LOW_MEMORY"  # argon2-cffi's own default parameters


def _hasher() -> PasswordHasher:
    """The hasher of the app's ``PASSWORD_HASH_PROFILE`` (tests use a cheap one)."""
    name = DEFAULT_HASH_PROFILE
    if has_app_context():
        name = current_app.config.get("PASSWORD_HASH_PROFILE", name)
    return _hasher_for(name)


@cache
def _hasher_for(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(argon2.profiles, profile))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


@cache
def _decoy(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def check_decoy(password: str) -> None:
    """As much work as checking a real password, for an e-mail address that has none: an
    answer that came faster would tell that the address has no account."""
    hasher = _hasher()
    with contextlib.suppress(VerificationError, InvalidHashError):
        hasher.verify(_decoy(hasher), password)


class Role(enum.StrEnum):
    COMPANY = "company"
    RESEARCHER = "researcher"
    INSTITUTE = "institute"
    AGENCY = "agency"
    OFFICER = "officer"
    ADMIN = "admin"


class Membership(enum.StrEnum):
    """Where a user stands in their organisation: only active members may post for it."""

    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"


SELF_REGISTER_ROLES = (Role.COMPANY, Role.RESEARCHER, Role.INSTITUTE, Role.AGENCY)
STAFF_ROLES = (Role.OFFICER, Role.ADMIN)
# Those who offer capabilities: the provider side of a match.
PROVIDER_ROLES = (Role.RESEARCHER, Role.INSTITUTE)


class User(Timestamped, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"), nullable=False)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    locale: Mapped[str] = mapped_column(sa.String(8), default="en", nullable=False)
    active: Mapped[bool] = mapped_column(default=True, nullable=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session and token; raising it ends all of them (signing out does).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0", nullable=False)

    membership: Mapped[Membership] = mapped_column(
        str_enum(Membership, "membership"),
        default=Membership.ACTIVE,
        server_default=Membership.ACTIVE.value,
        nullable=False,
    )
    # May approve join requests and invite people to the organisation.
    org_admin: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false(), nullable=False
    )
    # None until the owner follows the link sent to the address; staff-made accounts start set.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Shown to the other party of an accepted introduction only when share_phone is set.
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    share_phone: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false(), nullable=False
    )

    organisation = relationship("Organisation", back_populates="users")

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        try:
            ok = _hasher().verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if ok and _hasher().check_needs_rehash(self.password_hash):
            self.set_password(password)
        return ok

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def awaiting_confirmation(self) -> bool:
        """A self-registered account that has not yet confirmed its address, and so cannot
        sign in: otherwise signing in after registering would tell a stranger whether the
        address was new. An account that has signed in before and then changed its address
        keeps signing in while the new address waits for its link."""
        return self.email_verified_at is None and self.last_login_at is None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role} {self.email}>"


class RevokedToken(db.Model):
    """An API token withdrawn before it expires; the row may go once the token has expired."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from xeco.models.base import Timestamped, db, live_profiles_index, newest_first_index, str_enum


class CapabilityKind(enum.StrEnum):
    RESEARCHER = "researcher"
    INSTITUTE = "institute"


class CapabilityStatus(enum.StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class Capability(Timestamped, db.Model):
    """What a researcher or an institute offers: expertise, publications, equipment."""

    __tablename__ = "capabilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True, nullable=False
    )
    owner_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True, nullable=False
    )
    kind: Mapped[CapabilityKind] = mapped_column(
        str_enum(CapabilityKind, "capability_kind"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    summary: Mapped[str] = mapped_column(sa.Text, nullable=False)
    keywords: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    sectors: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    equipment: Mapped[str | None] = mapped_column(sa.Text)
    # "en", "zh" or "mixed", detected from the text on every save (services/languages.py).
    language: Mapped[str | None] = mapped_column(sa.String(8))
    region: Mapped[str | None] = mapped_column(sa.String(80))
    capacity: Mapped[int] = mapped_column(sa.SmallInteger, default=3, nullable=False)
    status: Mapped[CapabilityStatus] = mapped_column(
        str_enum(CapabilityStatus, "capability_status"),
        default=CapabilityStatus.ACTIVE,
        nullable=False,
    )
    fingerprint: Mapped[str | None] = mapped_column(sa.String(40))

    organisation = relationship("Organisation")
    owner = relationship("User")
    publications = relationship(
        "Publication",
        back_populates="capability",
        cascade="all, delete-orphan",
        order_by="Publication.position",
    )

    __table_args__ = (
        sa.CheckConstraint("capacity BETWEEN 0 AND 100", name="capacity_range"),
        newest_first_index("capabilities"),
        live_profiles_index("capabilities"),
    )

    @validates("title", "summary", "keywords", "equipment")
    def _text_changed(self, _key, value):
        # The cached text fingerprint is stale once any matched text changes.
        self.fingerprint = None
        return value


class Publication(db.Model):
    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    capability_id: Mapped[int] = mapped_column(
        sa.ForeignKey("capabilities.id", ondelete="CASCADE"), index=True, nullable=False
    )
    position: Mapped[int] = mapped_column(sa.SmallInteger, default=0, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    abstract: Mapped[str | None] = mapped_column(sa.Text)
    year: Mapped[int | None] = mapped_column(sa.SmallInteger)
    doi: Mapped[str | None] = mapped_column(sa.String(200))
    venue: Mapped[str | None] = mapped_column(sa.String(300))
    authors: Mapped[str | None] = mapped_column(sa.String(1000))

    capability = relationship("Capability", back_populates="publications")

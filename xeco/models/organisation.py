from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from xeco.models.base import Timestamped, UTCDateTime, db, str_enum
from xeco.models.names import fold


class OrgKind(enum.StrEnum):
    COMPANY = "company"
    UNIVERSITY = "university"
    INSTITUTE = "institute"
    AGENCY = "agency"


class Organisation(Timestamped, db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    # The name as compared: canonical and case-folded (``fold``);
    # SQL's lower() folds only ASCII on SQLite, so the comparison cannot be left to it.
    name_key: Mapped[str] = mapped_column(sa.String(200), index=True, nullable=False)
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind, "org_kind"), nullable=False)
    region: Mapped[str | None] = mapped_column(sa.String(80))
    website: Mapped[str | None] = mapped_column(sa.String(300))
    description: Mapped[str | None] = mapped_column(sa.Text)
    # Set by an officer who has checked that the organisation is who it says it is.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Registrants with a verified address on one of these join as active members at once.
    email_domains: Mapped[list[str]] = mapped_column(
        sa.JSON, default=list, server_default="[]", nullable=False
    )

    users = relationship("User", back_populates="organisation")

    __table_args__ = (sa.UniqueConstraint("name", "kind"),)

    @validates("name")
    def _keep_key(self, _key: str, name: str) -> str:
        self.name_key = fold(name)
        return name

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind} {self.name!r}>"

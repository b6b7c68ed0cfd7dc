from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xeco.models.base import Timestamped, db, str_enum


class OrgKind(enum.StrEnum):
    COMPANY = "company"
    UNIVERSITY = "university"
    INSTITUTE = "institute"
    AGENCY = "agency"


class Organisation(Timestamped, db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind, "org_kind"), nullable=False)
    region: Mapped[str | None] = mapped_column(sa.String(80))
    website: Mapped[str | None] = mapped_column(sa.String(300))
    description: Mapped[str | None] = mapped_column(sa.Text)

    users = relationship("User", back_populates="organisation")

    __table_args__ = (sa.UniqueConstraint("name", "kind"),)

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind} {self.name!r}>"

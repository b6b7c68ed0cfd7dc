from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xeco.models.base import (
    CURRENCIES,
    Timestamped,
    db,
    live_profiles_index,
    newest_first_index,
    str_enum,
)


class ProgrammeStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Programme(Timestamped, db.Model):
    """A government funding programme or policy; empty sectors/regions mean any."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True, nullable=False
    )
    owner_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), nullable=False
    )
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    summary: Mapped[str] = mapped_column(sa.Text, nullable=False)
    keywords: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    sectors: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    regions: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    amount_min: Mapped[int | None] = mapped_column(sa.BigInteger)
    amount_max: Mapped[int | None] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3), default=CURRENCIES[0], nullable=False)
    deadline: Mapped[date | None] = mapped_column(sa.Date)
    url: Mapped[str | None] = mapped_column(sa.String(300))
    # "en", "zh" or "mixed", detected from the text on every save (services/languages.py).
    language: Mapped[str | None] = mapped_column(sa.String(8))
    status: Mapped[ProgrammeStatus] = mapped_column(
        str_enum(ProgrammeStatus, "programme_status"),
        default=ProgrammeStatus.OPEN,
        nullable=False,
    )
    fingerprint: Mapped[str | None] = mapped_column(sa.String(40))

    organisation = relationship("Organisation")
    owner = relationship("User")

    __table_args__ = (
        sa.CheckConstraint(
            "amount_min IS NULL OR amount_max IS NULL OR amount_min <= amount_max",
            name="amount_order",
        ),
        newest_first_index("programmes"),
        live_profiles_index("programmes"),
    )

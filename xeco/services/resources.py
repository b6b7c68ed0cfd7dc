"""The shared life of owned resources: create, read, list, update, close.

Challenges, capabilities and programmes differ in their fields, visibility and the matching
they trigger; ``ResourceService`` holds the rest once. Services flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from xeco.errors import Conflict, Forbidden, Invalid, NotFound
from xeco.extensions import db
from xeco.models import User, search
from xeco.models.base import utcnow
from xeco.resources import Resource
from xeco.services import access, audit, outbox
from xeco.services.listing import DEFAULT_SORT, Page, paginate, sort_clause, text_filter
from xeco.services.organisations import check_may_post
from xeco.services.sql import on_postgresql


@dataclass
class ResourceService:
    resource: Resource
    search_columns: tuple[str, ...]
    closed_status: Any
    ranges: tuple[tuple[str, str], ...] = ()

    @property
    def model(self) -> type:
        return self.resource.model

    @property
    def noun(self) -> str:
        return self.resource.noun

    # --- reading -----------------------------------------------------------------------
    def visibility(self, user: User) -> sa.ColumnElement[bool]:
        return sa.true()

    @cached_property
    def shown(self) -> tuple:
        """What an item shows of its linked rows, read with it rather than one by one: the
        organisation in the same query, the publications in one more for a whole page.

        Made once per service: loader options do not change, and every list and detail
        built them anew."""
        return tuple(
            loader(r)
            for loader, r in (
                (joinedload, getattr(self.model, "organisation", None)),
                (selectinload, getattr(self.model, "publications", None)),
            )
            if r is not None
        )

    def search_text(self):
        """The lower-cased search text where the database keeps one (PostgreSQL)."""
        return search.search_text(self.model.__tablename__) if on_postgresql() else None

    def get(self, user: User, item_id: int):
        obj = db.session.scalar(
            sa.select(self.model)
            .where(self.model.id == item_id, self.visibility(user))
            .options(*self.shown)
        )
        if obj is None:
            raise NotFound(f"No {self.noun} with id {item_id}.")
        return obj

    def list(self, user: User, args: dict) -> Page:
        stmt = sa.select(self.model).where(self.visibility(user))
        if args.get("q"):
            cols = [getattr(self.model, c) for c in self.search_columns]
            stmt = stmt.where(text_filter(args["q"], *cols, lowered=self.search_text()))
        if args.get("mine"):
            stmt = stmt.where(self.model.organisation_id == user.organisation_id)
        for name in ("status", "kind", "visibility"):
            if args.get(name) is not None and hasattr(self.model, name):
                stmt = stmt.where(getattr(self.model, name) == args[name])
        stmt = self.extra_filters(stmt, args)
        sort = args.get("sort", DEFAULT_SORT)
        order = sort_clause(self.model, sort)
        # A search reads every row, and so does any order but the default (no index gives
        # it): then the pick counts as it goes. The default order is read from an index
        # and stops after the page; a COUNT (index-only) tells the total.
        scans = bool(args.get("q")) or sort != DEFAULT_SORT
        page, per_page = args["page"], args["per_page"]
        return paginate(stmt, page, per_page, order=order, load=self.shown, scans=scans)

    def extra_filters(self, stmt: sa.Select, args: dict) -> sa.Select:
        return stmt

    # --- changing ----------------------------------------------------------------------
    def check_can_create(self, user: User) -> None:
        if user.role not in self.resource.owners:
            raise Forbidden(f"Your role ({user.role.value}) may not create a {self.noun}.")
        if user.organisation_id is None:
            raise Forbidden("You belong to no organisation.")
        check_may_post(user)

    def problems(self, data: dict, obj=None) -> dict[str, list[str]]:
        """Rules beyond the schema's, as field -> messages, so a page can show them together
        with the form's own errors. A deadline may not be set in the past; one that passed
        since it was set stays as it is when other fields change."""
        deadline = data.get("deadline")
        past = deadline is not None and deadline < utcnow().date()
        if past and (obj is None or deadline != getattr(obj, "deadline", None)):
            return {"deadline": ["Must not be in the past."]}
        return {}

    def create(self, user: User, data: dict):
        self.check_can_create(user)
        if errors := self.problems(data):
            raise Invalid(errors={"json": errors})
        obj = self.model(organisation_id=user.organisation_id, **self.owner_fields(user))
        self.apply(obj, data)
        self.check_ranges(obj)
        db.session.add(obj)
        db.session.flush()
        audit.record(user, "create", obj)
        self.after_change(obj)
        return obj

    def owner_fields(self, user: User) -> dict:
        return {"owner_id": user.id}

    def apply(self, obj, data: dict) -> None:
        for key, value in data.items():
            setattr(obj, key, value)

    def check_ranges(self, obj) -> None:
        for low, high in self.ranges:
            lo, hi = getattr(obj, low), getattr(obj, high)
            if lo is not None and hi is not None and lo > hi:
                raise Invalid(errors={"json": {high: [f"Must not be below {low}."]}})

    def check_can_change(self, user: User, item_id: int):
        obj = self.get(user, item_id)
        if not access.can_change(user, obj):
            raise Forbidden(f"Only the owner or an officer may change this {self.noun}.")
        check_may_post(user)
        if obj.status == self.closed_status:
            raise Conflict(f"This {self.noun} is closed; it can no longer be changed.")
        return obj

    def update(self, user: User, item_id: int, data: dict):
        obj = self.check_can_change(user, item_id)
        if errors := self.problems(data, obj):
            raise Invalid(errors={"json": errors})
        before = audit.snapshot(obj)
        self.apply(obj, data)
        self.check_ranges(obj)
        db.session.flush()
        audit.record(user, "update", obj, before=before)
        self.after_change(obj)
        return obj

    def close(self, user: User, item_id: int) -> None:
        """Deleting closes: the row and its history stay."""
        obj = self.get(user, item_id)
        if not access.can_change(user, obj):
            raise Forbidden(f"Only the owner or an officer may close this {self.noun}.")
        if obj.status == self.closed_status:
            return
        before = audit.snapshot(obj)
        obj.status = self.closed_status
        if hasattr(obj, "closed_at"):
            obj.closed_at = utcnow()
        db.session.flush()
        audit.record(user, "close", obj, before=before)

    def after_change(self, obj) -> None:
        outbox.enqueue(self.resource.match_task, **{self.resource.id_arg: obj.id})

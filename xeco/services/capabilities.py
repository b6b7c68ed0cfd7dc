from __future__ import annotations

from xeco.models import Capability, CapabilityKind, CapabilityStatus, Publication, Role, User
from xeco.resources import CAPABILITIES
from xeco.services.listing import json_list_contains
from xeco.services.resources import ResourceService


class CapabilityService(ResourceService):
    def owner_fields(self, user: User) -> dict:
        institute = user.role == Role.INSTITUTE
        kind = CapabilityKind.INSTITUTE if institute else CapabilityKind.RESEARCHER
        return {"owner_id": user.id, "kind": kind}

    def apply(self, obj: Capability, data: dict) -> None:
        data = dict(data)
        publications = data.pop("publications", None)
        super().apply(obj, data)
        if publications is not None:
            obj.fingerprint = None  # publications are matched text too
            # The list is replaced as a whole: what the owner sends is the new list.
            obj.publications = [Publication(position=i, **p) for i, p in enumerate(publications)]

    def extra_filters(self, stmt, args):
        if args.get("sector"):
            stmt = stmt.where(json_list_contains(Capability.sectors, args["sector"]))
        return stmt


capabilities = CapabilityService(
    resource=CAPABILITIES,
    search_columns=("title", "summary", "keywords", "equipment"),
    closed_status=CapabilityStatus.CLOSED,
)

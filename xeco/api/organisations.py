"""Organisations: members and join requests, verification, e-mail domains, invitations."""

from __future__ import annotations

from flask.views import MethodView

from xeco.api.blueprint import Blueprint
from xeco.api.security import me, signed_in
from xeco.models import STAFF_ROLES
from xeco.schemas.common import page_schema
from xeco.schemas.organisations import (
    InvitedSchema,
    InviteSchema,
    MemberArgs,
    OrgAdminSchema,
    OrganisationSchema,
    OrganisationUpdateSchema,
)
from xeco.schemas.users import UserSchema
from xeco.services import account
from xeco.services import organisations as service

PATH = "/organisations"
blp = Blueprint("organisations", __name__, description="Organisations and their members.")
MemberPageSchema = page_schema(UserSchema, "MemberPage")


@blp.route("/<id:org_id>")
class OrganisationById(MethodView):
    @signed_in()
    @blp.response(200, OrganisationSchema)
    def get(self, org_id):
        """An organisation."""
        return service.get(org_id)

    @signed_in(*STAFF_ROLES)
    @blp.arguments(OrganisationUpdateSchema)
    @blp.response(200, OrganisationSchema)
    def patch(self, data, org_id):
        """Verify an organisation and set its e-mail domains (officers, admins)."""
        org = service.update(me(), org_id, data)
        return org


@blp.route("/<id:org_id>/members")
class Members(MethodView):
    @signed_in()
    @blp.arguments(MemberArgs, location="query")
    @blp.response(200, MemberPageSchema)
    def get(self, args, org_id):
        """Members, or with `status=pending` the join requests (its admins, officers)."""
        return service.members(me(), org_id, args.get("status"), args["page"], args["per_page"])


def _decide(org_id: int, user_id: int, approve: bool):
    user = service.decide(me(), org_id, user_id, approve)
    return user


@blp.route("/<id:org_id>/members/<id:user_id>/approve")
class Approve(MethodView):
    @signed_in()
    @blp.response(200, UserSchema)
    @blp.alt_response(409, description="Decided already.")
    def post(self, org_id, user_id):
        """Approve a join request (the organisation's admins, officers)."""
        return _decide(org_id, user_id, True)


@blp.route("/<id:org_id>/members/<id:user_id>/reject")
class Reject(MethodView):
    @signed_in()
    @blp.response(200, UserSchema)
    @blp.alt_response(409, description="Decided already.")
    def post(self, org_id, user_id):
        """Reject a join request (the organisation's admins, officers)."""
        return _decide(org_id, user_id, False)


@blp.route("/<id:org_id>/members/<id:user_id>/admin")
class MemberAdmin(MethodView):
    @signed_in()
    @blp.arguments(OrgAdminSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(409, description="Not an active member, or yourself.")
    def put(self, data, org_id, user_id):
        """Make an active member one of the organisation's administrators, or no longer one
        (its admins, officers)."""
        user = service.set_admin(me(), org_id, user_id, data["org_admin"])
        return user


@blp.route("/<id:org_id>/invitations")
class Invitations(MethodView):
    @signed_in()
    @blp.arguments(InviteSchema)
    @blp.response(202, InvitedSchema)
    def post(self, data, org_id):
        """E-mail a signed link, valid for seven days, that joins this organisation at once."""
        account.invite(me(), org_id, data["email"])
        return {"email": data["email"]}

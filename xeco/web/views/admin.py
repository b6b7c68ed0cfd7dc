"""Administration pages: members and join requests, users, organisations, audit, outbox."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xeco.models import STAFF_ROLES, Membership, Role, User
from xeco.services import account, admin, organisations
from xeco.services import users as user_service
from xeco.web.account_forms import DomainsForm, InviteForm, MergeForm, RoleForm, SearchForm
from xeco.web.blueprint import bp
from xeco.web.formkit import choices, split_list
from xeco.web.forms import ActionForm
from xeco.web.session import me, roles_required
from xeco.web.views.helpers import attempt, back

# Words for stored codes the account pages show, in the reader's language.
LABELS = {
    "membership": {
        "pending": _l("waiting for approval"),
        "active": _l("member"),
        "rejected": _l("declined"),
    },
    "org_kind": {
        "company": _l("Company"),
        "university": _l("University"),
        "institute": _l("Institute"),
        "agency": _l("Agency"),
    },
}


@bp.app_template_global()
def membership_label(value: str) -> str:
    return str(LABELS["membership"].get(value, value))


@bp.app_template_global()
def org_kind_label(value: str) -> str:
    return str(LABELS["org_kind"].get(value, value))


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 100_000 else 1


# --- an organisation's members -------------------------------------------------------------
@bp.get("/organisations/<id:org_id>/members")
@roles_required()
def members(org_id: int):
    org = organisations.get(org_id)
    organisations.check_can_manage(me(), org)
    status = request.args.get("status")
    status = status if status in {m.value for m in Membership} else None
    page = organisations.members(me(), org_id, status, _page(), 50)
    return render_template(
        "admin/members.html",
        org=org,
        page=page,
        status=status,
        form=ActionForm(),
        invite=InviteForm(),
    )


@bp.post("/organisations/<id:org_id>/members/<id:user_id>/<any(approve, reject):decision>")
@roles_required()
def member_decision(org_id: int, user_id: int, decision: str):
    if ActionForm().validate_on_submit():
        done = _("Approved.") if decision == "approve" else _("Rejected.")
        attempt(lambda: organisations.decide(me(), org_id, user_id, decision == "approve"), done)
    return back("web.members", org_id=org_id)


@bp.post("/organisations/<id:org_id>/members/<id:user_id>/admin")
@roles_required()
def member_admin(org_id: int, user_id: int):
    if ActionForm().validate_on_submit():
        make = request.form.get("org_admin") == "1"
        attempt(lambda: organisations.set_admin(me(), org_id, user_id, make), _("Saved."))
    return back("web.members", org_id=org_id)


@bp.post("/organisations/<id:org_id>/invitations")
@roles_required()
def member_invite(org_id: int):
    form = InviteForm()
    if form.validate_on_submit():
        attempt(
            lambda: account.invite(me(), org_id, form.email.data),
            _("The invitation is on its way."),
        )
    return redirect(url_for("web.members", org_id=org_id))


# --- users ---------------------------------------------------------------------------------
@bp.get("/admin/users")
@roles_required(Role.ADMIN)
def admin_users():
    search = SearchForm(request.args)
    page = admin.search_users(search.q.data, _page())
    return render_template(
        "admin/users.html", page=page, search=search, form=ActionForm(), role_form=_role_form()
    )


def _role_form() -> RoleForm:
    form = RoleForm()
    form.role.choices = choices([(r.value, r.value) for r in STAFF_ROLES])
    return form


@bp.post("/admin/users/<id:user_id>/<any(deactivate, reactivate):change>")
@roles_required(Role.ADMIN)
def admin_user_active(user_id: int, change: str):
    if ActionForm().validate_on_submit():
        active = change == "reactivate"
        attempt(
            lambda: user_service.update_by_admin(me(), user_id, {"active": active}), _("Saved.")
        )
    return back("web.admin_users")


@bp.post("/admin/users/<id:user_id>/role")
@roles_required(Role.ADMIN)
def admin_user_role(user_id: int):
    form = _role_form()
    if form.validate_on_submit():
        from xeco.extensions import db

        user = db.session.get(User, user_id) or abort(404)
        attempt(lambda: admin.set_role(me(), user, Role(form.role.data)), _("Saved."))
    return back("web.admin_users")


# --- organisations -------------------------------------------------------------------------
@bp.get("/admin/organisations")
@roles_required(*STAFF_ROLES)
def admin_organisations():
    search = SearchForm(request.args)
    page = admin.search_organisations(search.q.data, _page())
    return render_template("admin/organisations.html", page=page, search=search)


@bp.route("/admin/organisations/<id:org_id>", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def admin_organisation(org_id: int):
    org = organisations.get(org_id)
    form = DomainsForm(
        data={
            "email_domains": ", ".join(org.email_domains or []),
            "verified": "yes" if org.verified else "no",
        }
    )
    if form.validate_on_submit():
        data = {
            "verified": form.verified.data == "yes",
            "email_domains": split_list(form.email_domains.data),
        }
        _done, err = attempt(lambda: organisations.update(me(), org_id, data), _("Saved."))
        if err is None:
            return redirect(url_for("web.admin_organisation", org_id=org_id))
    return render_template(
        "admin/organisation.html", org=org, form=form, merge=MergeForm(), members_page=None
    )


@bp.post("/admin/organisations/<id:org_id>/merge")
@roles_required(Role.ADMIN)
def admin_organisation_merge(org_id: int):
    form = MergeForm()
    if form.validate_on_submit() and form.into.data.strip().isdigit():
        into = int(form.into.data.strip())
        target, err = attempt(
            lambda: admin.merge_organisations(me(), org_id, into).id, _("Merged.")
        )
        if err is None:
            return redirect(url_for("web.admin_organisation", org_id=target))
    return redirect(url_for("web.admin_organisation", org_id=org_id))


# --- audit log and outbox ------------------------------------------------------------------
@bp.get("/admin/audit")
@roles_required(Role.ADMIN)
def admin_audit():
    filters = {k: request.args.get(k, "").strip() for k in admin.AUDIT_FILTERS}
    for key in ("object_id", "actor_id"):
        if filters[key] and not (filters[key].isdigit() and len(filters[key]) <= 10):
            filters[key] = ""
    query = {k: int(v) if k.endswith("_id") else v for k, v in filters.items() if v}
    page = admin.audit_entries(query, _page())
    return render_template("admin/audit.html", page=page, filters=filters)


@bp.get("/admin/outbox")
@roles_required(Role.ADMIN)
def admin_outbox():
    to = request.args.get("to", "").strip()[:254]
    page = admin.outbox_mail(to or None, _page())
    return render_template("admin/outbox.html", page=page, to=to)

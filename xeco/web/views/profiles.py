"""Profiles people can look at: an organisation, a researcher or an institute's staff."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import login_required
from markupsafe import Markup

from xeco.services import profiles
from xeco.web.blueprint import bp


@bp.get("/organisations/<id:org_id>")
@login_required
def organisation_profile(org_id: int):
    return render_template("profiles/organisation.html", **profiles.organisation(org_id))


@bp.get("/people/<id:user_id>")
@login_required
def person_profile(user_id: int):
    return render_template("profiles/person.html", **profiles.person(user_id))


@bp.app_template_global()
def org_link(org) -> Markup:
    """An organisation's name, wherever a page names it, linked to its profile."""
    if org is None:
        return Markup("")
    url = url_for("web.organisation_profile", org_id=org.id)
    return Markup('<a href="{}">{}</a>').format(url, org.name)


@bp.app_template_global()
def person_link(user) -> Markup:
    if user is None:
        return Markup("")
    return Markup('<a href="{}">{}</a>').format(
        url_for("web.person_profile", user_id=user.id), user.name
    )

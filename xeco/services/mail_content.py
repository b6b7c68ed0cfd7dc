"""Each e-mail as it goes out: subject, a text part and an HTML part.

A notice (kind and parameters) is put into words here, in its recipient's language at the
time of sending, with a link to the page it is about and the organisations it concerns. A
written e-mail (a confirmation link, an invitation) keeps its text, and gets an HTML part
made from it.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from jinja2.utils import urlize
from markupsafe import Markup

from xeco.extensions import db
from xeco.models import EmailOutbox, User
from xeco.services import notices


def build(row: EmailOutbox) -> tuple[str, str, str]:
    if row.kind is None:
        subject, text = row.subject or "", row.body or ""
        return subject, text, _html(subject, text, None, (), None)
    user = db.session.get(User, row.user_id) if row.user_id else None
    with force_locale(user.locale if user else "en"):
        notice = notices.render(row.kind, row.params)
        link = notices.public_url(*notice.page) if notice.page else None
        open_label = _("Open the page")
        orgs_label = _("Organisations") if notice.organisations else None
        text = notice.body
        if notice.organisations:
            text += "\n\n" + orgs_label + ": " + ", ".join(notice.organisations)
        if link:
            text += f"\n\n{open_label}: {link}"
        html = _html(notice.title, notice.body, link, notice.organisations, open_label, orgs_label)
    # A subject is a header: a line break in a title would end it.
    return " ".join(notice.title.split())[:300], text, html


def _html(title, body, link, organisations, open_label, orgs_label=None) -> str:
    template = current_app.jinja_env.get_template("emails/message.html")
    # Rendered without the site's context processors: there is no request in the worker.
    return template.render(
        title=title,
        # urlize escapes the text and links the addresses in it (confirmation links).
        paragraphs=[Markup(urlize(p).replace("\n", "<br>")) for p in body.split("\n\n")],
        link=link,
        open_label=open_label,
        organisations=organisations,
        orgs_label=orgs_label,
    )

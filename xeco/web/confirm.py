"""A second step before what cannot be undone: approve, reject, accept, decline.

Without JavaScript the first post of such a button answers with a page that asks, and
carries the posted fields on to a second post marked ``confirmed``. With JavaScript the same
question is asked in a dialog on the page (``data-confirm`` attributes, read by site.js),
which adds the mark itself, so the server's page is skipped.
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from xeco.web.blueprint import bp
from xeco.web.forms import ActionForm

CONFIRMED = "confirmed"
# action -> (question, the button that confirms, whether it is the red kind)
QUESTIONS = {
    "approve": (
        _l(
            "Approve this match and introduce both parties? They are told at once; "
            "this cannot be undone."
        ),
        _l("Yes, approve and introduce"),
        False,
    ),
    "reject": (
        _l("Reject this match? It is not proposed again unless one of the texts changes."),
        _l("Yes, reject"),
        True,
    ),
    "accept": (
        _l(
            "Accept this introduction? The other party and the officer are told; "
            "this cannot be undone."
        ),
        _l("Yes, accept"),
        False,
    ),
    "decline": (
        _l("Decline this introduction? It ends here; this cannot be undone."),
        _l("Yes, decline"),
        True,
    ),
    "close": (
        _l("Close it? It stays readable but can no longer be changed or matched."),
        _l("Yes, close it"),
        True,
    ),
}


def confirmed() -> bool:
    return request.form.get(CONFIRMED) == "1"


def ask(action: str, subject: str, back: str, count: int = 1):
    """The page that asks; ``subject`` names what the action is about, ``back`` is Cancel."""
    question, yes, danger = QUESTIONS[action]
    kept = [(k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", CONFIRMED)]
    return render_template(
        "confirm/ask.html",
        question=question,
        yes=yes,
        danger=danger,
        subject=subject,
        count=count,
        fields=kept,
        action=request.path,
        back=back,
        form=ActionForm(formdata=None),
    )


@bp.app_template_global()
def confirm_attrs(action: str) -> Markup:
    """The data attributes a button needs for site.js to ask before it posts."""
    question, yes, _danger = QUESTIONS[action]
    return Markup('data-confirm="{}" data-confirm-yes="{}" data-confirm-no="{}"').format(
        escape(question), escape(yes), escape(_l("Cancel"))
    )

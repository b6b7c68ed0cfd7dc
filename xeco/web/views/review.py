"""The officers' review queue: proposals best first, with the terms that drove each."""

from __future__ import annotations

from flask import render_template, request, session

from xeco.models import STAFF_ROLES, MatchStatus
from xeco.schemas.common import SECTORS
from xeco.schemas.matches import MatchListArgs
from xeco.services import matches as service
from xeco.web.blueprint import bp
from xeco.web.forms import DecisionForm
from xeco.web.highlight import term_pairs
from xeco.web.session import me, roles_required
from xeco.web.views.helpers import list_args
from xeco.web.views.matches import REASON_MESSAGE, REASON_MISSING


@bp.get("/review")
@roles_required(*STAFF_ROLES)
def review():
    args = list_args(MatchListArgs, status=MatchStatus.PROPOSED.value)
    args.setdefault("per_page", 10)
    page = service.list_matches(me(), args)
    return render_template(
        "review/queue.html",
        page=page,
        args=args,
        sectors=SECTORS,
        form=DecisionForm(),
        terms={m.id: term_pairs(m.explanation) for m in page.items},
        here=request.full_path.rstrip("?"),
        reason_missing=session.pop(REASON_MISSING, None),
        reason_message=REASON_MESSAGE,
    )

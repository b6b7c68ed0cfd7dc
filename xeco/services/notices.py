"""What notifications and e-mails say, rendered in the reader's language when shown or sent.

A notice is stored as a ``kind`` and its ``params`` (names and titles as they were, never
sentences); :func:`render` turns them into a title, a body and the page it is about, in the
current Flask-Babel locale (callers wrap it in ``force_locale(user.locale)``). Rows written
before notices were stored this way keep their text and are shown as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from xeco.labels import MEMBERSHIP_LABELS, OUTCOME_LABELS, label


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    # (endpoint, values) of the page the notice is about, or None.
    page: tuple[str, dict] | None = None
    # The organisations concerned, named in e-mails.
    organisations: tuple[str, ...] = ()


def match_params(match) -> dict:
    """What every notice about a match names: both titles and both organisations."""
    return {
        "match_id": match.id,
        "challenge": match.challenge.title,
        "capability": match.capability.title,
        "company": match.challenge.organisation.name,
        "provider": match.capability.organisation.name,
    }


def _pair(p: dict) -> str:
    return _(
        "“%(challenge)s” ↔ “%(capability)s”", challenge=p["challenge"], capability=p["capability"]
    )


def _match_page(p: dict):
    return ("web.match_detail", {"match_id": p["match_id"]}) if p.get("match_id") else None


def _orgs(p: dict) -> tuple[str, ...]:
    return tuple(name for name in (p.get("company"), p.get("provider")) if name)


def _introduced(p: dict) -> Rendered:
    if p.get("side") == "company":
        title = _("Introduction: %(title)s", title=p["capability"])
        body = _(
            "Your challenge “%(challenge)s” has been matched with “%(capability)s” (%(org)s). "
            "Please accept or decline the introduction.",
            challenge=p["challenge"],
            capability=p["capability"],
            org=p["provider"],
        )
    else:
        title = _("Introduction: %(title)s", title=p["challenge"])
        body = _(
            "Your capability “%(capability)s” has been matched with the challenge "
            "“%(challenge)s” of %(org)s. Please accept or decline the introduction.",
            challenge=p["challenge"],
            capability=p["capability"],
            org=p["company"],
        )
    if p.get("note"):
        body += "\n\n" + _("Note from the officer: %(note)s", note=p["note"])
    return Rendered(title, body, _match_page(p), _orgs(p))


def _response(verb: str) -> Callable[[dict], Rendered]:
    def render(p: dict) -> Rendered:
        if verb == "accepted":
            title = _("The other party accepted")
            body = _("%(pair)s: the other party accepted the introduction.", pair=_pair(p))
        else:
            title = _("The other party declined")
            body = _("%(pair)s: the other party declined the introduction.", pair=_pair(p))
        if p.get("note"):
            body += " " + _("Note: %(note)s", note=p["note"])
        return Rendered(title, body, _match_page(p), _orgs(p))

    return render


def _assigned(p: dict) -> Rendered:
    return Rendered(
        _("Review assigned: %(title)s", title=p["challenge"]),
        _(
            "%(name)s asked you to review the proposals for “%(title)s”.",
            name=p["actor"],
            title=p["challenge"],
        ),
        ("web.review", {"challenge_id": p["challenge_id"]}) if p.get("challenge_id") else None,
    )


def _join_request(p: dict) -> Rendered:
    return Rendered(
        _("%(name)s asks to join %(org)s", name=p["name"], org=p["org"]),
        _("Approve or reject the request on the members page of %(org)s.", org=p["org"]),
        ("web.members", {"org_id": p["org_id"]}),
        (p["org"],),
    )


def _membership(p: dict) -> Rendered:
    if p["approved"]:
        title = _("You are now a member of %(org)s", org=p["org"])
        body = _("You can post for %(org)s now.", org=p["org"])
    else:
        title = _("Your request to join %(org)s was declined", org=p["org"])
        body = _("Ask the organisation's administrators if you think this is a mistake.")
    return Rendered(title, body, ("web.settings", {}), (p["org"],))


def _membership_decided(p: dict) -> Rendered:
    return Rendered(
        _("You decided on %(name)s's request", name=p["name"]),
        _(
            "%(name)s is now %(status)s.",
            name=p["name"],
            status=label(MEMBERSHIP_LABELS, p["status"]),
        ),
    )


def _message(p: dict) -> Rendered:
    return Rendered(
        _("New message from %(name)s", name=p["author"]),
        _("%(pair)s:", pair=_pair(p)) + "\n" + p["excerpt"],
        ("web.match_detail", {"match_id": p["match_id"], "_anchor": "conversation"}),
        _orgs(p),
    )


def _outcome(p: dict) -> Rendered:
    outcome = label(OUTCOME_LABELS, p["outcome"])
    body = _(
        "%(name)s recorded how the introduction went: %(outcome)s.",
        name=p["author"],
        outcome=outcome,
    )
    return Rendered(
        _("%(pair)s: %(outcome)s", pair=_pair(p), outcome=outcome), body, _match_page(p), _orgs(p)
    )


def _stalled(p: dict) -> Rendered:
    return Rendered(
        _("How is it going? %(pair)s", pair=_pair(p)),
        _(
            "You were introduced two weeks ago and nothing has been recorded since. Write to "
            "the other party on the match page, or record how it went (talking, agreement "
            "signed, project started, no deal)."
        ),
        _match_page(p),
        _orgs(p),
    )


def _digest(p: dict) -> Rendered:
    items = p.get("items") or []
    lines = "\n".join(f"- {item['title'] if 'title' in item else _pair(item)}" for item in items)
    return Rendered(
        ngettext(
            "xeco: %(num)d new introduction today",
            "xeco: %(num)d new introductions today",
            len(items),
        ),
        _("New approved matches for you:") + f"\n{lines}\n\n" + _("Sign in to respond."),
        ("web.matches_list", {}),
    )


KINDS: dict[str, Callable[[dict], Rendered]] = {
    "introduced": _introduced,
    "response_accepted": _response("accepted"),
    "response_declined": _response("declined"),
    "assigned": _assigned,
    "join_request": _join_request,
    "membership_approved": _membership,
    "membership_declined": _membership,
    "membership_decided": _membership_decided,
    "message": _message,
    "outcome": _outcome,
    "stalled": _stalled,
    "digest": _digest,
}


def render(kind: str, params: dict | None, title: str | None = None, body: str | None = None):
    """The notice in the current locale; a row stored as text is returned as it is."""
    if params is None or kind not in KINDS:
        return Rendered(title or "", body or "")
    return KINDS[kind](params)


def public_url(endpoint: str, values: dict) -> str:
    """An absolute link to a page, from ``PUBLIC_BASE_URL``: e-mails are built by the worker,
    outside any request, so the request's own host cannot be used."""
    values = dict(values)
    anchor = values.pop("_anchor", None)
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/"
    return urljoin(base, path.lstrip("/")) + (f"#{anchor}" if anchor else "")

"""Filters and globals the templates use: labels, highlighting, dates, paging links."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request, url_for
from flask_babel import format_date, format_datetime, format_decimal

from xeco.matching.text import has_chinese
from xeco.web.blueprint import bp
from xeco.web.forms import ActionForm, LocaleForm
from xeco.web.highlight import highlight
from xeco.web.labels import LANGUAGE_LABELS, ROLE_LABELS, SECTOR_LABELS, STATUS_LABELS, label


@bp.app_template_filter("sector")
def _sector(code) -> str:
    return label(SECTOR_LABELS, code)


@bp.app_template_filter("status")
def _status(code) -> str:
    return label(STATUS_LABELS, code)


@bp.app_template_filter("role")
def _role(code) -> str:
    return label(ROLE_LABELS, code)


@bp.app_template_filter("highlight")
def _highlight(text, explanation, side: str = "challenge"):
    return highlight(text, explanation, side)


@bp.app_template_filter("language")
def _language(code) -> str:
    return label(LANGUAGE_LABELS, code)


@bp.app_template_filter("lang_attr")
def _lang_attr(text) -> str:
    """An HTML ``lang`` for a term, so screen readers voice 锂电池 in Chinese."""
    return "zh" if has_chinese(str(text or "")) else "en"


@bp.app_template_filter("when")
def _when(value) -> str:
    return format_datetime(value, "medium") if value else ""


@bp.app_template_filter("day")
def _day(value) -> str:
    return format_date(value, "medium") if value else ""


@bp.app_template_filter("number")
def _number(value) -> str:
    return format_decimal(value) if value is not None else ""


@bp.app_template_global()
def page_url(number: int) -> str:
    """This page's URL with another page number, the filters kept."""
    # The query goes on as a query string: passed to url_for as keywords, names such as
    # _method, _external or _anchor would be taken as url_for's own options.
    args = request.args.copy()
    args["page"] = str(number)
    return (
        url_for(request.endpoint, **(request.view_args or {}))
        + "?"
        + urlencode(list(args.items(multi=True)))
    )


@bp.app_context_processor
def _forms():
    # The header's sign-out button and language switch post forms with CSRF tokens.
    return {"header_form": ActionForm(formdata=None), "locale_form": LocaleForm(formdata=None)}

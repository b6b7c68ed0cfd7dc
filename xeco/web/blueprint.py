"""The one blueprint of the site; the view modules attach their routes to it."""

from flask import Blueprint

bp = Blueprint("web", __name__)

"""The page views; importing them attaches their routes to the ``web`` blueprint."""

from xeco.web.views import (  # noqa: F401
    auth,
    dashboard,
    items,
    matches,
    notifications,
    pages,
    review,
    runs,
)

"""The page views; importing them attaches their routes to the ``web`` blueprint."""

from xeco.web.views import (  # noqa: F401
    account,
    admin,
    after_intro,
    auth,
    dashboard,
    items,
    matches,
    notifications,
    pages,
    profiles,
    review,
    runs,
)

"""flask-smorest's blueprint, with each argument schema made once instead of per request."""

from __future__ import annotations

from flask_smorest import Blueprint as SmorestBlueprint


class Blueprint(SmorestBlueprint):
    """Given a schema class, webargs makes an instance of it on every request, and each
    copies all its fields (a deep copy): a hundredth of the API's CPU under load. One
    instance per decorated view serves them all, as the response schemas already do: a
    schema keeps no state of its own between loads (the errors and results are the call's).
    """

    def arguments(self, schema, **kwargs):
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, **kwargs)

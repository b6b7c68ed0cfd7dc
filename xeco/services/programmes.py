from __future__ import annotations

from xeco.models import Programme, ProgrammeStatus
from xeco.resources import PROGRAMMES
from xeco.services.listing import json_list_contains
from xeco.services.resources import ResourceService


class ProgrammeService(ResourceService):
    def extra_filters(self, stmt, args):
        for key, column in (("sector", Programme.sectors), ("region", Programme.regions)):
            if args.get(key):
                stmt = stmt.where(json_list_contains(column, args[key]))
        return stmt


programmes = ProgrammeService(
    resource=PROGRAMMES,
    search_columns=("title", "summary", "keywords"),
    closed_status=ProgrammeStatus.CLOSED,
    ranges=(("amount_min", "amount_max"),),
)

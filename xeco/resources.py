"""The three owned resources, each described once: the API, the pages, the access rules,
the services and the tasks all read these.

What belongs to one layer stays there (schemas in ``xeco.schemas``, forms in ``xeco.web``)
and is looked up by the resource's ``name``.
"""

from __future__ import annotations

from dataclasses import dataclass

from xeco.models import PROVIDER_ROLES, Capability, Challenge, Programme, Role


@dataclass(frozen=True)
class Resource:
    name: str  # plural: the URL segment, the table, the endpoint prefix
    noun: str  # singular, for messages
    model: type
    owners: tuple[Role, ...]  # the roles that create and own it (officers change any)
    id_arg: str  # how tasks and jobs name its id

    @property
    def match_task(self) -> str:
        """The task that matches one of these after each create or edit."""
        return f"xeco.match_{self.noun}"


CHALLENGES = Resource("challenges", "challenge", Challenge, (Role.COMPANY,), "challenge_id")
CAPABILITIES = Resource("capabilities", "capability", Capability, PROVIDER_ROLES, "capability_id")
PROGRAMMES = Resource("programmes", "programme", Programme, (Role.AGENCY,), "programme_id")

RESOURCES = {r.name: r for r in (CHALLENGES, CAPABILITIES, PROGRAMMES)}


def of(obj) -> Resource:
    """The resource an item is one of."""
    return RESOURCES[obj.__tablename__]

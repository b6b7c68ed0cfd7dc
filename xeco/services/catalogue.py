"""The service of each owned resource, by the resource's name."""

from __future__ import annotations

from xeco.services.capabilities import capabilities
from xeco.services.challenges import challenges
from xeco.services.programmes import programmes
from xeco.services.resources import ResourceService

SERVICES: dict[str, ResourceService] = {
    s.resource.name: s for s in (challenges, capabilities, programmes)
}

"""The three owned resources, each a blueprint from the shared factory."""

from __future__ import annotations

from xeco.api.resources import resource_blueprint
from xeco.schemas.resources import SCHEMAS
from xeco.services.catalogue import SERVICES

# What the OpenAPI document says of each: its description, and who creates one.
ABOUT = {
    "challenges": (
        "Companies' innovation challenges. Restricted ones are seen by their owner and "
        "officers, and by a matched researcher once a match is approved.",
        "companies",
    ),
    "capabilities": (
        "What researchers and institutes offer: expertise, publications, equipment.",
        "researchers and institutes",
    ),
    "programmes": ("Government funding programmes and policies.", "agencies"),
}

BLUEPRINTS = {
    f"/{name}": resource_blueprint(SERVICES[name], SCHEMAS[name], description, who)
    for name, (description, who) in ABOUT.items()
}

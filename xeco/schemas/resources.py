"""The marshmallow schemas of each owned resource, for the API and the pages alike."""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema

from xeco.schemas.capabilities import CapabilityListArgs, CapabilityPageSchema, CapabilitySchema
from xeco.schemas.challenges import ChallengeListArgs, ChallengePageSchema, ChallengeSchema
from xeco.schemas.programmes import ProgrammeListArgs, ProgrammePageSchema, ProgrammeSchema


def patch(schema: type[Schema]) -> Schema:
    """The same fields, each optional; its own class so the OpenAPI document names it.

    Only the top-level fields are partial: ``partial=True`` would reach into nested items
    too, and a publication without its title would reach the database.
    """
    name = schema.__name__.replace("Schema", "PatchSchema")
    return type(name, (schema,), {})(partial=tuple(schema._declared_fields))


@dataclass(frozen=True)
class ResourceSchemas:
    item: type[Schema]
    list_args: type[Schema]
    page: type[Schema]


SCHEMAS = {
    "challenges": ResourceSchemas(ChallengeSchema, ChallengeListArgs, ChallengePageSchema),
    "capabilities": ResourceSchemas(CapabilitySchema, CapabilityListArgs, CapabilityPageSchema),
    "programmes": ResourceSchemas(ProgrammeSchema, ProgrammeListArgs, ProgrammePageSchema),
}

"""The three owned resources, each a blueprint from the shared factory."""

from __future__ import annotations

from xeco.api.resources import resource_blueprint
from xeco.schemas.capabilities import CapabilityListArgs, CapabilityPageSchema, CapabilitySchema
from xeco.schemas.challenges import ChallengeListArgs, ChallengePageSchema, ChallengeSchema
from xeco.schemas.programmes import ProgrammeListArgs, ProgrammePageSchema, ProgrammeSchema
from xeco.services.capabilities import capabilities
from xeco.services.challenges import challenges
from xeco.services.programmes import programmes


def patch(schema: type) -> object:
    """The same fields, each optional; its own class so the OpenAPI document names it.

    Only the top-level fields are partial: ``partial=True`` would reach into nested items
    too, and a publication without its title would reach the database.
    """
    name = schema.__name__.replace("Schema", "PatchSchema")
    return type(name, (schema,), {})(partial=tuple(schema._declared_fields))


BLUEPRINTS = {
    "/challenges": resource_blueprint(
        "challenges",
        challenges,
        ChallengeSchema,
        patch(ChallengeSchema),
        ChallengeListArgs,
        ChallengePageSchema,
        "Companies' innovation challenges. Restricted ones are seen by their owner and "
        "officers, and by a matched researcher once a match is approved.",
        "companies",
    ),
    "/capabilities": resource_blueprint(
        "capabilities",
        capabilities,
        CapabilitySchema,
        patch(CapabilitySchema),
        CapabilityListArgs,
        CapabilityPageSchema,
        "What researchers and institutes offer: expertise, publications, equipment.",
        "researchers and institutes",
    ),
    "/programmes": resource_blueprint(
        "programmes",
        programmes,
        ProgrammeSchema,
        patch(ProgrammeSchema),
        ProgrammeListArgs,
        ProgrammePageSchema,
        "Government funding programmes and policies.",
        "agencies",
    ),
}

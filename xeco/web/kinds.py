"""The three owned resources as the pages see them: service, schema, form and words."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from xeco.models import Role
from xeco.schemas.resources import SCHEMAS
from xeco.services.capabilities import capabilities
from xeco.services.challenges import challenges
from xeco.services.programmes import programmes
from xeco.services.resources import ResourceService
from xeco.web.item_forms import CapabilityForm, ChallengeForm, ItemForm, ProgrammeForm


@dataclass(frozen=True)
class Kind:
    """What the pages add to a resource: its form and its words."""

    service: ResourceService
    form: type[ItemForm]
    singular: object
    plural: object
    new_label: object
    body_field: str

    @property
    def name(self) -> str:  # URL segment and endpoint prefix
        return self.service.resource.name

    @property
    def owners(self) -> tuple[Role, ...]:
        return self.service.resource.owners

    @property
    def schema(self) -> type:
        return SCHEMAS[self.name].item

    @property
    def list_args(self) -> type:
        return SCHEMAS[self.name].list_args


KINDS = {
    "challenges": Kind(
        challenges,
        ChallengeForm,
        _l("Challenge"),
        _l("Challenges"),
        _l("Post a challenge"),
        "description",
    ),
    "capabilities": Kind(
        capabilities,
        CapabilityForm,
        _l("Capability"),
        _l("Capabilities"),
        _l("Add a capability"),
        "summary",
    ),
    "programmes": Kind(
        programmes,
        ProgrammeForm,
        _l("Programme"),
        _l("Programmes"),
        _l("Add a programme"),
        "summary",
    ),
}

"""The three owned resources as the pages see them: service, schema, form, and conversions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from xeco.models import Role
from xeco.schemas.resources import SCHEMAS
from xeco.services.capabilities import capabilities
from xeco.services.challenges import challenges
from xeco.services.programmes import programmes
from xeco.services.resources import ResourceService
from xeco.web import publications as pubs
from xeco.web.item_forms import CapabilityForm, ChallengeForm, ProgrammeForm


@dataclass(frozen=True)
class Kind:
    """What the pages add to a resource: its form, its words, and what a post becomes."""

    service: ResourceService
    form: type[FlaskForm]
    singular: object
    plural: object
    new_label: object
    body_field: str
    to_data: Callable[[FlaskForm, object | None], tuple[dict, list[str]]]

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


def _blank(value):
    return value if value not in ("", None) else None


def _common(form, names) -> dict:
    data = {name: getattr(form, name).data for name in names}
    data["keywords"] = form.keywords.data
    for name in ("region", "equipment", "url"):
        if name in data:
            data[name] = _blank((data[name] or "").strip())
    return data


def challenge_data(form: ChallengeForm, _obj) -> tuple[dict, list[str]]:
    data = _common(form, ("title", "description", "region", "budget_min", "budget_max", "currency"))
    data["sector"] = _blank(form.sector.data)
    data["trl"] = int(form.trl.data) if form.trl.data else None
    data["deadline"] = form.deadline.data.isoformat() if form.deadline.data else None
    data["visibility"] = form.visibility.data
    return data, []


def _full(p) -> dict:
    fields = ("title", "abstract", "year", "doi", "venue", "authors")
    return {f: getattr(p, f) for f in fields if getattr(p, f) is not None}


def capability_data(form: CapabilityForm, obj) -> tuple[dict, list[str]]:
    data = _common(form, ("title", "summary", "equipment", "region"))
    data["sectors"] = list(form.sectors.data or [])
    data["capacity"] = form.capacity.data if form.capacity.data is not None else 3
    original = pubs.as_lines(obj.publications) if obj is not None else ""
    pasted = (form.publications.data or "").replace("\r\n", "\n").strip()
    problems: list[str] = []
    if obj is not None and pasted == original.strip():
        # Unchanged lines keep what the short form cannot show: abstracts, venues, authors.
        base = [_full(p) for p in obj.publications]
    else:
        # BibTeX or CSV pasted into the box is read as the upload would be, never line by line.
        base, problems, source = pubs.from_paste(pasted)
        if source != "lines":
            form.publications.imported = len(base)
    upload = form.publications_file.data
    added: list[dict] = []
    if upload and getattr(upload, "filename", ""):
        added, more = pubs.from_upload(upload.filename, upload.read())
        problems += more
        form.publications.imported = getattr(form.publications, "imported", 0) + len(added)
    if obj is None or added or pasted != original.strip():
        data["publications"] = pubs.merge(base, added)
    return data, problems


def programme_data(form: ProgrammeForm, _obj) -> tuple[dict, list[str]]:
    data = _common(form, ("title", "summary", "amount_min", "amount_max", "currency", "url"))
    data["sectors"] = list(form.sectors.data or [])
    data["regions"] = form.regions.data
    data["deadline"] = form.deadline.data.isoformat() if form.deadline.data else None
    return data, []


KINDS = {
    "challenges": Kind(
        challenges,
        ChallengeForm,
        _l("Challenge"),
        _l("Challenges"),
        _l("Post a challenge"),
        "description",
        challenge_data,
    ),
    "capabilities": Kind(
        capabilities,
        CapabilityForm,
        _l("Capability"),
        _l("Capabilities"),
        _l("Add a capability"),
        "summary",
        capability_data,
    ),
    "programmes": Kind(
        programmes,
        ProgrammeForm,
        _l("Programme"),
        _l("Programmes"),
        _l("Add a programme"),
        "summary",
        programme_data,
    ),
}

"""factory_boy factories for every model, bound to the per-test session."""

from __future__ import annotations

from functools import cache

import argon2
import factory
from argon2 import PasswordHasher
from factory.alchemy import SQLAlchemyModelFactory

from xeco.extensions import db
from xeco.models import (
    Capability,
    CapabilityKind,
    Challenge,
    Match,
    Organisation,
    OrgKind,
    Programme,
    Publication,
    Role,
    User,
)
from xeco.models.base import utcnow

PASSWORD = "password123"


@cache
def _hash() -> str:
    # Hashed once, with the testing config's parameters: a hash of other parameters is
    # rehashed at the first sign-in, which changes it (and voids reset links made from it).
    return PasswordHasher.from_parameters(argon2.profiles.CHEAPEST).hash(PASSWORD)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


ROLE_ORG = {
    Role.COMPANY: OrgKind.COMPANY,
    Role.RESEARCHER: OrgKind.UNIVERSITY,
    Role.INSTITUTE: OrgKind.INSTITUTE,
    Role.AGENCY: OrgKind.AGENCY,
}


class OrganisationFactory(Base):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrgKind.COMPANY
    region = "Suzhou"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    role = Role.COMPANY
    password_hash = factory.LazyFunction(_hash)
    email_verified_at = factory.LazyFunction(utcnow)
    organisation = factory.Maybe(
        factory.LazyAttribute(lambda u: u.role in ROLE_ORG),
        yes_declaration=factory.SubFactory(
            OrganisationFactory,
            kind=factory.LazyAttribute(lambda o: ROLE_ORG[o.factory_parent.role]),
        ),
        no_declaration=None,
    )


class ChallengeFactory(Base):
    class Meta:
        model = Challenge

    author = factory.SubFactory(UserFactory, role=Role.COMPANY)
    organisation = factory.SelfAttribute("author.organisation")
    title = factory.Sequence(lambda n: f"Machine vision defect detection {n}")
    description = "Detect surface defects on metal parts on a production line with cameras."
    keywords = factory.LazyFunction(lambda: ["machine vision", "defect detection"])
    sector = "advanced-manufacturing"
    region = "Suzhou"


class CapabilityFactory(Base):
    class Meta:
        model = Capability

    owner = factory.SubFactory(UserFactory, role=Role.RESEARCHER)
    organisation = factory.SelfAttribute("owner.organisation")
    kind = CapabilityKind.RESEARCHER
    title = factory.Sequence(lambda n: f"Computer vision for inspection {n}")
    summary = "Deep learning models that find defects in images of manufactured parts."
    keywords = factory.LazyFunction(lambda: ["computer vision", "defect detection"])
    sectors = factory.LazyFunction(lambda: ["advanced-manufacturing"])
    capacity = 3


class PublicationFactory(Base):
    class Meta:
        model = Publication

    capability = factory.SubFactory(CapabilityFactory)
    title = factory.Sequence(lambda n: f"A paper on inspection {n}")
    abstract = "We detect defects with convolutional networks."
    year = 2024


class ProgrammeFactory(Base):
    class Meta:
        model = Programme

    owner = factory.SubFactory(UserFactory, role=Role.AGENCY)
    organisation = factory.SelfAttribute("owner.organisation")
    title = factory.Sequence(lambda n: f"Smart manufacturing fund {n}")
    summary = "Grants for factories adopting machine vision and automation."
    sectors = factory.LazyFunction(lambda: ["advanced-manufacturing"])
    regions = factory.LazyFunction(lambda: ["Suzhou"])


class MatchFactory(Base):
    class Meta:
        model = Match

    challenge = factory.SubFactory(ChallengeFactory)
    capability = factory.SubFactory(CapabilityFactory)
    score = 0.5
    explanation = factory.LazyFunction(lambda: [["defect", 0.3], ["vision", 0.2]])

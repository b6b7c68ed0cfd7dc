from __future__ import annotations

import click
import sqlalchemy as sa

from xeco.cli import Commands
from xeco.errors import DomainError
from xeco.extensions import db
from xeco.models import Organisation, OrgKind, Role, User
from xeco.services.users import ORG_KIND_FOR_ROLE, create_user, find_or_create_organisation


@click.group(cls=Commands, help="Manage user accounts.")
def users():
    pass


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default=None, help="Display name (default: the part before @).")
@click.option("--organisation", "org_name", default=None, help="Organisation name.")
def create(email, role, password, name, org_name):
    """Create a user; the way to make the first admin."""
    role = Role(role)
    org = None
    if org_name:
        kind = ORG_KIND_FOR_ROLE.get(role, OrgKind.UNIVERSITY)
        org = find_or_create_organisation(org_name, kind)
    try:
        user = create_user(email, password, role, name=name, organisation=org)
    except DomainError as err:
        detail = f" {err.errors}" if err.errors else ""
        raise click.ClickException(f"{err.message}{detail}") from err
    click.echo(f"created {user.role.value} {user.email} (id {user.id})")


@users.command("list")
def list_users():
    """List users with their role and organisation."""
    rows = db.session.execute(
        sa.select(User, Organisation.name).outerjoin(Organisation).order_by(User.id)
    ).all()
    for user, org in rows:
        click.echo(f"{user.id:>5}  {user.role.value:<10}  {user.email:<40}  {org or '-'}")

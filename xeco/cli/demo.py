from __future__ import annotations

import click
from flask.cli import with_appcontext

from xeco.cli import in_unit_of_work
from xeco.services import demo


@click.command(help="Seed the bilingual demo data set.")
@click.option("--once", is_flag=True, help="Do nothing when data is there already.")
@with_appcontext
@in_unit_of_work
def seed(once):
    if once and demo.already_seeded():
        click.echo("demo data present; nothing to do")
        return
    counts = demo.load()
    from xeco.services import runs

    runs.start_full_run(actor=None, trigger="seed")
    click.echo("seeded " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    click.echo(f"sign in with any demo user, password: {demo.password()}")

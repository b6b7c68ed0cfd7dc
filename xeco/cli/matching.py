from __future__ import annotations

import sys
import time

import click

from xeco import transaction
from xeco.cli import Commands
from xeco.extensions import db
from xeco.models import ACTIVE_RUN_STATES
from xeco.services import index_store, matching, matching_index, runs


def _bar(done: int, total: int, width: int = 40) -> str:
    share = done / total if total else 0.0
    filled = round(share * width)
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({share:5.1%})"


def follow(run_id: int, interval: float = 1.0, out=sys.stdout) -> str:
    """Print a live progress bar until the run ends; returns its final state."""
    while True:
        db.session.expire_all()
        run = runs.get(run_id)
        line = f"\rrun {run.id} {run.state.value:<9} {_bar(run.done, run.total)}"
        out.write(line)
        out.flush()
        if run.state not in ACTIVE_RUN_STATES:
            out.write(f"\n{run.proposals} proposals made or refreshed, {len(run.errors)} errors\n")
            for error in run.errors:
                out.write(f"  {error}\n")
            return run.state.value
        # End the read, so the next round sees the worker's progress (and SQLite's lock goes).
        db.session.rollback()
        time.sleep(interval)


@click.group(cls=Commands, help="Matching: full runs, progress, one challenge.")
def matching_cli():
    pass


@matching_cli.command("run")
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Follow the run with a live progress bar.",
)
def run_command(wait):
    """Start a full run (or join the one in progress)."""
    run, created = runs.start_full_run(actor=None, trigger="cli")
    # The worker can only take the run up once it is committed and its chunks published.
    transaction.commit()
    click.echo(f"{'started' if created else 'joined'} run {run.id}")
    if wait:
        state = follow(run.id)
        if state != "succeeded":
            raise SystemExit(1)


@matching_cli.command("status")
@click.argument("run_id", type=int)
@click.option("--follow/--no-follow", "keep", default=True, show_default=True)
def status_command(run_id, keep):
    """Show a run's progress; follow it until it ends."""
    if keep:
        follow(run_id)
    else:
        run = runs.get(run_id)
        click.echo(f"run {run.id} {run.state.value} {_bar(run.done, run.total)}")


@matching_cli.command("challenge")
@click.argument("challenge_id", type=int)
def challenge_command(challenge_id):
    """Match one challenge now, in this process."""
    out = matching.match_challenge(challenge_id)
    click.echo(out.as_dict())


@matching_cli.command("resume")
def resume_command():
    """Republish the unfinished chunks of stalled runs."""
    count = runs.resume_stalled()
    click.echo(f"republished {count} chunk(s)")


@matching_cli.command("indexes")
def indexes_command():
    """The fitted indexes: stored size, profiles, drift since the fit (folds it here)."""
    for name in matching_index.SOURCES:
        index = matching_index.get(name)
        size = index_store.sizes().get(name, 0)
        click.echo(
            f"{name}: {int((index.ids >= 0).sum())} profiles, stored fit #{index.base_id} "
            f"({size / 2**20:.1f} MB), drift {index.drift() or '-'}"
        )

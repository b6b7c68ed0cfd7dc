"""Operator commands: ``flask --app xeco <group> <command>``."""

from __future__ import annotations

import functools

from flask import Flask
from flask.cli import AppGroup


def in_unit_of_work(fn):
    """Run a command's body in one unit of work: commit when it ends, roll back if it fails."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from xeco import transaction

        with transaction.unit():
            return fn(*args, **kwargs)

    return wrapper


class Commands(AppGroup):
    """A group whose commands run in the app context and one unit of work each."""

    def command(self, *args, **kwargs):
        register = super().command(*args, **kwargs)
        return lambda fn: register(in_unit_of_work(fn))


def register_cli(app: Flask) -> None:
    from xeco.cli import demo, matching, outbox, serve, users

    app.cli.add_command(users.users)
    app.cli.add_command(demo.seed)
    app.cli.add_command(serve.serve)
    app.cli.add_command(outbox.outbox)
    app.cli.add_command(matching.matching_cli, name="matching")

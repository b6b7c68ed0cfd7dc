"""Operator commands: ``flask --app xeco <group> <command>``."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from xeco.cli import demo, matching, serve, users, work

    app.cli.add_command(users.users)
    app.cli.add_command(demo.seed)
    app.cli.add_command(serve.serve)
    app.cli.add_command(work.outbox)
    app.cli.add_command(matching.matching_cli, name="matching")

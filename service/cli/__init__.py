"""The ``passerelle`` command line: index, serve, search, evaluate and the staff commands."""

from service.cli.commands import app, main

__all__ = ["app", "main"]

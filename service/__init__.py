"""Passerelle's HTTP service. Build it with :func:`create_app`; run it with ``passerelle serve``."""

from service.app import create_app

__all__ = ["create_app"]

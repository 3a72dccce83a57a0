"""A minimal ``Instance``: what the webserver runs on."""

from __future__ import annotations

import sys

import graphene

from berth.version import __version__

__all__ = ["Instance"]


class Instance(graphene.ObjectType):
    """The berth instance behind this webserver."""

    id = graphene.NonNull(graphene.String)
    info = graphene.String()
    hasInfo = graphene.NonNull(graphene.Boolean)
    runQueuingSupported = graphene.NonNull(graphene.Boolean)
    executablePath = graphene.NonNull(graphene.String)

    @classmethod
    def current(cls) -> "Instance":
        """This process's instance."""
        return cls(id="berth", info=f"berth {__version__}", hasInfo=True, runQueuingSupported=False,
                   executablePath=sys.executable)

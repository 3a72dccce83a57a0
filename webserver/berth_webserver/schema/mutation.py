"""The ``Mutation`` root: launch, re-execute, terminate, delete, reload and shut down."""

from __future__ import annotations

from .launch import LaunchRunMutations
from .reload import LocationMutations
from .terminate import TerminateRunMutations

__all__ = ["Mutation"]


class Mutation(LaunchRunMutations, TerminateRunMutations, LocationMutations):
    """Every mutation; each answers ``UnauthorizedError`` when the webserver is read-only."""

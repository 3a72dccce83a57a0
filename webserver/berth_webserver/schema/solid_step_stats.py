"""``SolidHandle.stepStats``: an op's step across the job's runs, or why there is none to show."""

from __future__ import annotations

import graphene

from .errors import Error
from .run_stats import RunStepStats

__all__ = ["SolidStepStatsConnection", "SolidStepStatsOrError", "SolidStepStatusUnavailableError"]


class SolidStepStatsConnection(graphene.ObjectType):
    """The step's stats in each run that ran it, newest run first."""

    nodes = graphene.NonNull(graphene.List(graphene.NonNull(RunStepStats)))


class SolidStepStatusUnavailableError(graphene.ObjectType):
    """A node that is not a step (a nested graph) has no step stats."""

    class Meta:
        interfaces = (Error,)


class SolidStepStatsOrError(graphene.Union):
    """Step stats, or why there are none."""

    class Meta:
        types = (SolidStepStatsConnection, SolidStepStatusUnavailableError)

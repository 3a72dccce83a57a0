"""Roles, who holds them (``Principal``), and the table of the role each mutation needs.

Roles are ordered: each one may do what the ones before it may. ``MUTATION_ROLES`` names every
root field of ``Mutation`` (a test checks that it is complete); a mutation missing from it needs
``admin``, so a new mutation is closed until someone decides who may call it.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Mapping

__all__ = ["ANONYMOUS", "MUTATION_ROLES", "Principal", "Role", "required_role"]


class Role(enum.IntEnum):
    """What a caller may do; a higher role includes every lower one."""

    VIEWER = 1  # queries and subscriptions
    LAUNCHER = 2  # + launch and re-execute runs
    EDITOR = 3  # + terminate and delete runs, reload locations
    ADMIN = 4  # + shut down code locations, read the audit log

    @property
    def label(self) -> str:
        """The name used in files and messages: ``viewer``, ``launcher``, ``editor``, ``admin``."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Role":
        """The role named ``text`` (case-insensitive); ValueError names the valid ones."""
        try:
            return cls[str(text).strip().upper()]
        except KeyError:
            names = ", ".join(role.label for role in cls)
            raise ValueError(f"unknown role {text!r} (one of: {names})") from None


MUTATION_ROLES: Mapping[str, Role] = {
    "launchRun": Role.LAUNCHER,
    "launchPipelineExecution": Role.LAUNCHER,
    "launchRunReexecution": Role.LAUNCHER,
    "launchPipelineReexecution": Role.LAUNCHER,
    "terminateRun": Role.EDITOR,
    "terminatePipelineExecution": Role.EDITOR,
    "terminateRuns": Role.EDITOR,
    "deleteRun": Role.EDITOR,
    "deletePipelineRun": Role.EDITOR,
    "reloadRepositoryLocation": Role.EDITOR,
    "reloadWorkspace": Role.EDITOR,
    "shutdownRepositoryLocation": Role.ADMIN,
}


def required_role(mutation_name: str) -> Role:
    """The lowest role that may call a mutation (``admin`` for one the table does not know)."""
    return MUTATION_ROLES.get(mutation_name, Role.ADMIN)


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who is calling: a name (token name or proxy user), a role, and how they were recognised."""

    name: str
    role: Role
    method: str  # "token", "proxy" or "none" (the webserver serves without authentication)

    @property
    def authenticated(self) -> bool:
        """False for the anonymous caller of a webserver without ``--auth``."""
        return self.method != "none"


# The caller of a webserver started without --auth: it may do everything (as before auth existed).
ANONYMOUS = Principal("anonymous", Role.ADMIN, "none")

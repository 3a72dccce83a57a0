"""Which user code a process loads: a Python file or a module, with an optional working directory.

The code server, the worker factory and the subprocess run worker all load the same target, so it
travels between processes as command-line arguments.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from typing import TYPE_CHECKING, Mapping, Optional, Sequence

if TYPE_CHECKING:
    from berth.definitions.repository import RepositoryDefinition
    from berth.protocol.v1 import code_location_pb2

__all__ = ["CodeTarget"]


@dataclasses.dataclass(frozen=True)
class CodeTarget:
    """A code location's user code: exactly one of ``python_file`` and ``module_name``."""

    python_file: Optional[str] = None
    module_name: Optional[str] = None
    working_directory: Optional[str] = None

    def __post_init__(self) -> None:
        if (self.python_file is None) == (self.module_name is None):
            raise ValueError("give exactly one of python_file and module_name")

    @property
    def default_location_name(self) -> str:
        """The file stem or the module name, the location name when none is given."""
        if self.python_file is not None:
            return os.path.splitext(os.path.basename(self.python_file))[0]
        return str(self.module_name)

    def load(self) -> Mapping[str, "RepositoryDefinition"]:
        """Import the user code and return its repositories by name (import errors propagate)."""
        from berth.definitions.loader import load_code_location

        if self.python_file is not None:
            loaded = load_code_location(python_file=self.python_file,
                                        working_directory=self.working_directory)
        else:
            loaded = load_code_location(module_name=self.module_name,
                                        working_directory=self.working_directory)
        return dict(loaded.repositories)

    def to_args(self) -> list[str]:
        """Command-line arguments that ``from_args`` (and ``add_arguments``) read back."""
        args = (["--python-file", self.python_file] if self.python_file is not None
                else ["--module-name", str(self.module_name)])
        if self.working_directory is not None:
            args += ["--working-directory", self.working_directory]
        return args

    def to_proto(self) -> "code_location_pb2.CodeTarget":
        """The target as this process sees it, with absolute paths, for a worker started elsewhere.

        A module target without a working directory is imported from the current directory
        (``python -m`` semantics), so that directory is what another process needs.
        """
        from berth.protocol.v1 import code_location_pb2

        working_directory = (os.path.abspath(self.working_directory) if self.working_directory
                             else os.getcwd() if self.module_name is not None else "")
        return code_location_pb2.CodeTarget(
            python_file=os.path.abspath(self.python_file) if self.python_file is not None else "",
            module_name=self.module_name or "", working_directory=working_directory)

    @classmethod
    def from_proto(cls, proto: "code_location_pb2.CodeTarget") -> "CodeTarget":
        """Inverse of ``to_proto``; raises ``ValueError`` when the message names no code."""
        return cls(proto.python_file or None, proto.module_name or None, proto.working_directory or None)

    @staticmethod
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        """Add the --python-file / --module-name / --working-directory options to a parser."""
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--python-file")
        group.add_argument("--module-name")
        parser.add_argument("--working-directory")

    @classmethod
    def from_namespace(cls, namespace: argparse.Namespace) -> "CodeTarget":
        """Build a target from arguments parsed with ``add_arguments``."""
        return cls(namespace.python_file, namespace.module_name, namespace.working_directory)

    @classmethod
    def from_args(cls, args: Sequence[str]) -> "CodeTarget":
        """Inverse of ``to_args``."""
        parser = argparse.ArgumentParser(add_help=False)
        cls.add_arguments(parser)
        return cls.from_namespace(parser.parse_args(list(args)))


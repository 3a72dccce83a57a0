"""Reading berth's Dockerfiles without a Docker engine: instructions, the final image's settings,
and where a path inside the image comes from in the repository.

The conformance test uses ``ImageRecipe.repository_path`` to run a container's command against the
repository checkout instead of the image's file system.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import shlex
from pathlib import Path, PurePosixPath

__all__ = ["Instruction", "ImageRecipe", "dockerignore_allows"]


@dataclasses.dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction: its keyword (upper case) and the rest of the line."""

    keyword: str
    value: str

    def exec_form(self) -> list[str]:
        """The JSON (exec) form of ENTRYPOINT / CMD; ValueError for the shell form."""
        parsed = json.loads(self.value)
        if not (isinstance(parsed, list) and all(isinstance(item, str) for item in parsed)):
            raise ValueError(f"{self.keyword} is not in exec form: {self.value}")
        return parsed


@dataclasses.dataclass(frozen=True)
class ImageRecipe:
    """A parsed Dockerfile, with the build context it expects."""

    path: Path
    context: Path
    instructions: tuple[Instruction, ...]

    @classmethod
    def read(cls, path: Path, context: Path) -> "ImageRecipe":
        """Parse a Dockerfile (comments dropped, continuation lines joined)."""
        logical: list[str] = []
        pending = ""
        for line in path.read_text().splitlines():
            if line.lstrip().startswith("#") or not line.strip():
                continue
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            logical.append(pending + line)
            pending = ""
        instructions = []
        for line in logical:
            keyword, _, value = line.strip().partition(" ")
            instructions.append(Instruction(keyword.upper(), value.strip()))
        return cls(path, context, tuple(instructions))

    def final_stage(self) -> list[Instruction]:
        """The instructions of the last stage: the image that ships."""
        starts = [index for index, instruction in enumerate(self.instructions) if instruction.keyword == "FROM"]
        return list(self.instructions[starts[-1] :])

    def base_image(self) -> str:
        """The final stage's FROM, with the default of a build argument declared before the first FROM."""
        defaults = {}
        for instruction in self.instructions:
            if instruction.keyword == "FROM":
                break
            if instruction.keyword == "ARG" and "=" in instruction.value:
                name, _, default = instruction.value.partition("=")
                defaults[name] = default
        image = self.final_stage()[0].value.split()[0]
        for name, default in defaults.items():
            image = image.replace("${" + name + "}", default)
        return image

    def last(self, keyword: str) -> Instruction:
        """The final stage's last instruction of this kind (the one that takes effect)."""
        return [instruction for instruction in self.final_stage() if instruction.keyword == keyword][-1]

    def environment(self) -> dict[str, str]:
        """The final stage's ENV settings, with ARG defaults substituted."""
        variables: dict[str, str] = {}
        arguments: dict[str, str] = {}
        for instruction in self.final_stage():
            if instruction.keyword == "ARG" and "=" in instruction.value:
                name, _, default = instruction.value.partition("=")
                arguments[name] = default
            elif instruction.keyword == "ENV":
                for pair in shlex.split(instruction.value):
                    name, _, value = pair.partition("=")
                    for argument, default in arguments.items():
                        value = value.replace("${" + argument + "}", default)
                    variables[name] = value
        return variables

    def context_copies(self) -> list[tuple[str, str]]:
        """(source in the build context, destination in the image) of every COPY from the context, all stages."""
        copies = []
        for instruction in self.instructions:
            if instruction.keyword != "COPY" or "--from=" in instruction.value:
                continue
            parts = [part for part in instruction.value.split() if not part.startswith("--")]
            copies.extend((source, parts[-1]) for source in parts[:-1])
        return copies

    def repository_path(self, image_path: str) -> Path:
        """The file in the build context that the final image holds at ``image_path``."""
        target = PurePosixPath(image_path)
        for source, destination in self.context_copies():
            destination_path = PurePosixPath(destination)
            if target == destination_path or destination_path in target.parents:
                return self.context / source / target.relative_to(destination_path)
        raise KeyError(f"{self.path.name} copies nothing to {image_path}")


def dockerignore_allows(ignore_file: Path, relative_path: str) -> bool:
    """Whether Docker sends ``relative_path`` (of the build context) to the build; the last matching pattern wins."""
    allowed = True
    for raw in ignore_file.read_text().splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        # A pattern matches a path, or any folder that contains it.
        candidates = [relative_path, *(str(parent) for parent in PurePosixPath(relative_path).parents if str(parent) != ".")]
        if any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates):
            allowed = negated
    return allowed

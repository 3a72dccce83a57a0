"""The two images, as the container tests build them: from the repository root, on the local
Debian base (tests/deploy/debian_base.py), tagged per checkout so that sessions of other
checkouts on the same host never run this one's images."""

from __future__ import annotations

import dataclasses
import hashlib

from .debian_base import ensure_base_image
from .podman import BuiltImage, Podman
from .rendered import DEPLOY, REPO_ROOT

__all__ = ["BuiltImages", "build_images", "CODE_LOCATION_DOCKERFILE", "WEBSERVER_DOCKERFILE"]

CODE_LOCATION_DOCKERFILE = DEPLOY / "docker" / "code-location.Dockerfile"
WEBSERVER_DOCKERFILE = DEPLOY / "docker" / "webserver.Dockerfile"


@dataclasses.dataclass(frozen=True)
class BuiltImages:
    """The session's images and the base they were built on."""

    base: str
    code_location: BuiltImage
    webserver: BuiltImage


def build_images(podman: Podman) -> BuiltImages:
    """Build (or, with podman's layer cache, mostly reuse) both images."""
    base = ensure_base_image(podman)
    checkout = hashlib.sha1(str(REPO_ROOT).encode()).hexdigest()[:10]
    code_tag = f"localhost/berth-code-location:test-{checkout}"
    code_location = podman.build(
        CODE_LOCATION_DOCKERFILE, code_tag, {"BASE_IMAGE": base, "BERTH_CODE_IMAGE": code_tag}
    )
    # No registry here: the image takes the UI that make install built (UI_SOURCE=context).
    webserver = podman.build(WEBSERVER_DOCKERFILE, f"localhost/berth-webserver:test-{checkout}",
                             {"BASE_IMAGE": base, "UI_SOURCE": "context"})
    return BuiltImages(base, code_location, webserver)

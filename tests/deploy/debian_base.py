"""The base image the container tests build on: Debian bookworm with Python, made here by debootstrap.

No image can be pulled from a registry on the test machines, so ``python:3.11-slim`` (the
Dockerfiles' default ``BASE_IMAGE``) is out of reach. ``debootstrap`` builds the same thing from
Debian's package archive instead: a minimal bookworm with ``python3`` (3.11), ``python3-venv`` and
``ca-certificates``, without apt's caches, documentation or translations (about 130 MB, like the
slim image). It takes a minute or two, once: the root file system is kept as a tarball under
``.cache/containers`` and imported into podman's store whenever the image is missing there.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .podman import CACHE, Podman

__all__ = ["BASE_IMAGE", "ensure_base_image"]

BASE_IMAGE = "localhost/berth-test-base:bookworm-python3"
_SUITE = "bookworm"
_PACKAGES = "python3,python3-venv,ca-certificates"
_TARBALL = CACHE / f"debian-{_SUITE}-python3.tar"
# Left out of the image: apt's package cache and lists, documentation, man pages, translations.
_PRUNED = ("var/cache/apt", "var/lib/apt/lists", "usr/share/doc", "usr/share/man", "usr/share/locale")


def ensure_base_image(podman: Podman) -> str:
    """The base image's tag, after building (or importing) it if podman's store lacks it."""
    with (CACHE / "base-image.lock").open("w") as lock:
        # Two test sessions of one checkout must not debootstrap into the same cache at once.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if podman.image_exists(BASE_IMAGE):
            return BASE_IMAGE
        if not _TARBALL.exists():
            _debootstrap_tarball(_TARBALL)
        with _TARBALL.open("rb") as tarball:
            podman.run("import", "--change", "CMD [\"python3\"]", "-", BASE_IMAGE, stdin=tarball, timeout=300)
    return BASE_IMAGE


def _debootstrap_tarball(target: Path) -> None:
    mirror = os.environ.get("BERTH_DEBIAN_MIRROR", "http://deb.debian.org/debian")
    work = Path(tempfile.mkdtemp(prefix="debootstrap-", dir=CACHE))
    root = work / "rootfs"
    try:
        completed = subprocess.run(
            ["debootstrap", "--variant=minbase", f"--include={_PACKAGES}", _SUITE, str(root), mirror],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"debootstrap failed:\n{completed.stdout[-4000:]}")
        for relative in _PRUNED:
            folder = root / relative
            for child in folder.iterdir() if folder.is_dir() else ():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        partial = target.with_suffix(".partial")
        subprocess.run(["tar", "-C", str(root), "--numeric-owner", "-cf", str(partial), "."], check=True, timeout=300)
        partial.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)

"""The Python kustomize stand-in renders exactly what ``kubectl kustomize`` renders.

No Kubernetes cluster runs here, and kustomize may be missing where the tests run; the other
deployment tests render with tests/deploy/kustomize_render.py. This test checks that renderer
against the real kustomize built into kubectl, when kubectl is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .kustomize_render import KustomizeError, object_key, render
from .rendered import AUTH_OVERLAY, BASE, EXTERNAL_POSTGRES

KUBECTL = shutil.which("kubectl")


@pytest.mark.skipif(KUBECTL is None, reason="kubectl (with its built-in kustomize) is not installed")
@pytest.mark.parametrize("folder", [BASE, EXTERNAL_POSTGRES, AUTH_OVERLAY], ids=lambda folder: folder.name)
def test_python_rendering_equals_kubectl_kustomize(folder: Path) -> None:
    assert KUBECTL is not None
    completed = subprocess.run([KUBECTL, "kustomize", str(folder)], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    theirs = sorted((doc for doc in yaml.safe_load_all(completed.stdout) if doc), key=object_key)
    assert sorted(render(folder), key=object_key) == theirs


def test_renderer_refuses_features_it_does_not_know(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: []\nreplicas: [{name: x, count: 2}]\n")
    with pytest.raises(KustomizeError, match="replicas"):
        render(tmp_path)

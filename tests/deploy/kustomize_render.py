"""A small kustomize in Python: renders the subset of kustomization features that deploy/k8s uses.

kustomize itself may not be installed where the tests run, so the tests render the manifests with
this module. It knows: ``resources`` (files and folders), ``namespace``, ``labels``,
``commonLabels``, ``images``, ``configMapGenerator`` (with kustomize's content-hash name suffix and
the references to it rewritten) and ``patches`` (strategic-merge subset: maps merge, lists of named items
(containers, volumes, mounts, env) merge by name (new items first), other lists and scalars replace, ``$patch: delete``
removes an object). It refuses any other key, so the manifests
cannot quietly use a feature that this renderer would get wrong; where ``kubectl kustomize`` is
installed, a test checks that both render the same objects.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

import yaml

__all__ = ["KustomizeError", "render", "kustomization_files", "object_key"]

Manifest = dict[str, Any]

_KNOWN_KEYS = {
    "apiVersion",
    "kind",
    "resources",
    "namespace",
    "labels",
    "commonLabels",
    "images",
    "configMapGenerator",
    "patches",
}
# Objects that live outside any namespace among those berth uses.
_CLUSTER_SCOPED_KINDS = {"Namespace", "PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding"}
_WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}


class KustomizeError(Exception):
    """The kustomization uses something this renderer does not support, or refers to nothing."""


def object_key(manifest: Manifest) -> tuple[str, str]:
    """(kind, name) of an object: what identifies it within one rendered namespace."""
    return manifest["kind"], manifest["metadata"]["name"]


def kustomization_files(folder: Path) -> set[str]:
    """Every file name a kustomization folder's kustomization.yaml refers to, itself included."""
    spec = _read_kustomization(folder)
    names = {"kustomization.yaml"}
    names.update(entry for entry in spec.get("resources", []) if (folder / entry).is_file())
    for generator in spec.get("configMapGenerator", []):
        names.update(_file_source(entry)[1] for entry in generator.get("files", []))
    names.update(patch["path"] for patch in spec.get("patches", []) if "path" in patch)
    return names


def render(folder: Path) -> list[Manifest]:
    """Render a kustomization folder to its list of objects, as ``kubectl kustomize`` would."""
    spec = _read_kustomization(folder)
    objects: list[Manifest] = []
    for entry in spec.get("resources", []):
        path = folder / entry
        if path.is_dir():
            objects.extend(render(path))
        elif path.is_file():
            objects.extend(_load_documents(path))
        else:
            raise KustomizeError(f"{folder}: resource {entry!r} does not exist")
    renames = {}
    for generator in spec.get("configMapGenerator", []):
        config_map = _generate_config_map(folder, generator)
        renames[generator["name"]] = config_map["metadata"]["name"]
        objects.append(config_map)
    for patch in spec.get("patches", []):
        objects = _apply_patch(objects, _patch_body(folder, patch))
    for manifest in objects:
        _apply_namespace(manifest, spec.get("namespace"))
        _apply_labels(manifest, spec)
        _apply_images(manifest, spec.get("images", []))
        _rename_config_map_references(manifest, renames)
    return objects


def _read_kustomization(folder: Path) -> dict[str, Any]:
    spec = yaml.safe_load((folder / "kustomization.yaml").read_text())
    unknown = set(spec) - _KNOWN_KEYS
    if unknown:
        raise KustomizeError(f"{folder}: unsupported kustomization keys {sorted(unknown)}")
    return spec


def _load_documents(path: Path) -> list[Manifest]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def _file_source(entry: str) -> tuple[str, str]:
    """A generator file entry: ``path`` or ``key=path`` -> (key, path)."""
    key, _, path = entry.rpartition("=")
    return (key or Path(path).name), path


def _generate_config_map(folder: Path, generator: dict[str, Any]) -> Manifest:
    unknown = set(generator) - {"name", "files", "literals"}
    if unknown:
        raise KustomizeError(f"{folder}: unsupported configMapGenerator keys {sorted(unknown)}")
    data: dict[str, str] = {}
    for entry in generator.get("files", []):
        key, path = _file_source(entry)
        data[key] = (folder / path).read_text()
    for literal in generator.get("literals", []):
        key, _, value = literal.partition("=")
        data[key] = value
    name = f"{generator['name']}-{_config_map_hash(data)}"
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def _config_map_hash(data: dict[str, str]) -> str:
    """kustomize's name suffix: sha256 of the JSON of kind, data and an empty name, 10 chars, respelled.

    kustomize hashes before it names the object (hence the empty name) and swaps a few characters
    so that the suffix never spells words.
    """
    encoded = json.dumps({"kind": "ConfigMap", "name": "", "data": data}, sort_keys=True, separators=(",", ":"))
    # Go's encoding/json escapes these three for HTML safety; match it byte for byte.
    encoded = encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    digest = hashlib.sha256(encoded.encode()).hexdigest()[:10]
    return digest.translate(str.maketrans("013ae", "ghkmt"))


def _patch_body(folder: Path, patch: dict[str, Any]) -> Manifest:
    if set(patch) - {"path", "patch"}:
        raise KustomizeError(f"{folder}: unsupported patch keys {sorted(set(patch) - {'path', 'patch'})}")
    text = (folder / patch["path"]).read_text() if "path" in patch else patch["patch"]
    documents = [document for document in yaml.safe_load_all(text) if document]
    if len(documents) != 1:
        raise KustomizeError(f"{folder}: a patch must hold exactly one object")
    return documents[0]


def _apply_patch(objects: list[Manifest], patch: Manifest) -> list[Manifest]:
    target = object_key(patch)
    matches = [manifest for manifest in objects if object_key(manifest) == target]
    if len(matches) != 1:
        raise KustomizeError(f"patch target {target} matches {len(matches)} objects")
    if patch.get("$patch") == "delete":
        return [manifest for manifest in objects if object_key(manifest) != target]
    merged = _merge(matches[0], {key: value for key, value in patch.items() if key != "$patch"})
    return [merged if object_key(manifest) == target else manifest for manifest in objects]


def _named(items: Any) -> bool:
    return isinstance(items, list) and bool(items) and all(isinstance(i, dict) and "name" in i for i in items)


def _merge(base: Any, patch: Any) -> Any:
    if _named(base) and _named(patch):
        # As kustomize does: the patch's new items first, then the base's (merged with the patch's).
        by_name = {item["name"]: item for item in patch}
        known = {item["name"] for item in base}
        added = [copy.deepcopy(item) for item in patch if item["name"] not in known]
        return added + [_merge(item, by_name[item["name"]]) if item["name"] in by_name else copy.deepcopy(item)
                        for item in base]
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = copy.deepcopy(base)
        for key, value in patch.items():
            merged[key] = _merge(base[key], value) if key in base else copy.deepcopy(value)
        return merged
    return copy.deepcopy(patch)


def _apply_namespace(manifest: Manifest, namespace: str | None) -> None:
    if namespace and manifest["kind"] not in _CLUSTER_SCOPED_KINDS:
        manifest["metadata"]["namespace"] = namespace


def _apply_labels(manifest: Manifest, spec: dict[str, Any]) -> None:
    for entry in spec.get("labels", []):
        if set(entry) - {"pairs", "includeSelectors", "includeTemplates"}:
            raise KustomizeError(f"unsupported labels keys {sorted(entry)}")
        _add_labels(manifest, entry["pairs"], entry.get("includeSelectors", False), entry.get("includeTemplates", False))
    if spec.get("commonLabels"):
        _add_labels(manifest, spec["commonLabels"], True, True)


def _add_labels(manifest: Manifest, pairs: dict[str, str], selectors: bool, templates: bool) -> None:
    manifest["metadata"].setdefault("labels", {}).update(pairs)
    workload = manifest["kind"] in _WORKLOAD_KINDS
    if (templates or selectors) and workload:
        manifest["spec"]["template"]["metadata"].setdefault("labels", {}).update(pairs)
    if selectors and workload:
        manifest["spec"]["selector"].setdefault("matchLabels", {}).update(pairs)
    if selectors and manifest["kind"] == "Service":
        manifest["spec"].setdefault("selector", {}).update(pairs)


def _containers(manifest: Manifest) -> Iterable[dict[str, Any]]:
    if manifest["kind"] not in _WORKLOAD_KINDS:
        return []
    pod = manifest["spec"]["template"]["spec"]
    return [*pod.get("initContainers", []), *pod["containers"]]


def _apply_images(manifest: Manifest, images: list[dict[str, Any]]) -> None:
    for container in _containers(manifest):
        name, _, tag = container["image"].partition(":")
        for image in images:
            if image["name"] != name:
                continue
            if image.get("digest"):
                suffix = f"@{image['digest']}"
            else:
                new_tag = image.get("newTag", tag)
                suffix = f":{new_tag}" if new_tag else ""
            container["image"] = f"{image.get('newName', name)}{suffix}"


def _rename_config_map_references(manifest: Manifest, renames: dict[str, str]) -> None:
    if not renames or manifest["kind"] not in _WORKLOAD_KINDS:
        return
    pod = manifest["spec"]["template"]["spec"]
    for volume in pod.get("volumes", []):
        if "configMap" in volume:
            volume["configMap"]["name"] = renames.get(volume["configMap"]["name"], volume["configMap"]["name"])
    for container in _containers(manifest):
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                ref = source["configMapRef"]
                ref["name"] = renames.get(ref["name"], ref["name"])
        for variable in container.get("env", []):
            ref = variable.get("valueFrom", {}).get("configMapKeyRef")
            if ref:
                ref["name"] = renames.get(ref["name"], ref["name"])

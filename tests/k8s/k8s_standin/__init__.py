"""A stand-in Kubernetes API for tests: no cluster can run on these machines.

``python -m k8s_standin --port 0`` serves, over real HTTP, the part of the Kubernetes API that
berth's ``k8s_job`` launcher uses: Jobs (batch/v1: create, get, list, delete with propagation)
and Pods (v1: list by label selector, get, delete with a grace period, logs) in any namespace, and
Secrets (create, get) for ``envFrom``. Every Job it is given is validated against the Kubernetes
schema with ``kubernetes-validate`` and refused with 422 when invalid, as the real API server
would. Each Job gets one pod, and the pod's container *really runs*: its command is started as a
local process with the container's environment (its ``env`` and the Secrets of its ``envFrom``),
in a session of its own, and the pod's and Job's status follow that process.

Deleting a pod sends its process SIGTERM and, after the grace period, SIGKILLs its whole process
group, as kubelet does to a container. A test injects what a cluster does to pods
(``POST /standin/v1/namespaces/NS/pods/NAME/fault`` with ``{"fault": "OOMKilled" | "Evicted"}``)
and images that cannot be pulled (``POST /standin/v1/unpullable-images`` with ``{"images": [...]}``).

What it does not do: scheduling, nodes, watches, patch, resource versions, admission, RBAC.
"""

"""The code location a server hosts: its loaded code, its run workers, reload and shutdown.

``LocationHost`` is the state behind the gRPC servicer (which only translates messages). It owns
the current ``CodeGeneration``, the worker factory of that generation, the active runs, the
health statuses and the watch hub, and it drives shutdown: stop taking runs, let in-flight runs
finish within the grace period, cancel the rest, then stop serving.

A generation's worker factory (a process that imports the user code once more) starts only after
the generation's snapshots are built and a short quiet moment has passed: on a small machine it
would otherwise compete for the CPU with the snapshot build and with the webserver that is
reading the snapshot. A StartRun that comes earlier starts the factory itself and waits for it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from typing import Callable, Optional

from grpc_health.v1 import health, health_pb2

from berth.execution.code_target import CodeTarget
from berth.execution.worker_processes import (
    WorkerFactoryProcess,
    WorkerPlaces,
    WorkerStartError,
    start_subprocess_worker,
)
from berth.execution.worker_records import WorkerRecordDir
from berth.protocol.user_errors import error_to_proto
from berth.protocol.v1 import code_location_pb2
from berth.server.active_runs import DEFAULT_TERMINATE_GRACE_SECONDS, ActiveRun, ActiveRuns
from berth.server.generation import CodeGeneration, load_generation
from berth.server.start_run_errors import LocationLoadFailed, RunAlreadyActive, ServerShuttingDown, WorkerNotStarted
from berth.server.storages import ServerStorage
from berth.server.watch import Kind, WatchHub
from berth.version import __version__

__all__ = ["SERVICE_NAME", "LocationHost"]

_log = logging.getLogger(__name__)

SERVICE_NAME = code_location_pb2.DESCRIPTOR.services_by_name["CodeLocation"].full_name

# After the grace period, canceled workers get this long to record CANCELED before we stop anyway.
_CANCEL_WAIT_SECONDS = 10.0
# How long StartRun waits for a factory that is still importing the user code.
_FACTORY_READY_SECONDS = 30.0
# After the snapshots are built, the webserver (and, at a cold start, the other locations) still
# need the CPU for a moment: a factory imports the user code in a process of its own, so it waits
# this long unless a StartRun asks for it sooner. On two cores 0.5 s here made a 1,000-job reload
# take 250–630 ms; 2 s keeps it at 205–265 ms, at the price of a first launch that waits for it.
_FACTORY_DELAY_SECONDS = 2.0


def _worker_record_dir(storage_url: str, location_name: str) -> Optional[WorkerRecordDir]:
    """The folder of this location's worker records and run logs; None when BERTH_HOME is not writable."""
    records = WorkerRecordDir(storage_url, location_name)
    try:
        records.prepare()
    except OSError as exc:
        _log.warning("cannot write worker records and run logs under %s (%s): run output is dropped, and "
                     "runs left behind by a crash of this server cannot be adopted", records.home, exc)
        return None
    return records


class LocationHost:
    """One code location's user code and runs, as served by one code-server process."""

    def __init__(self, target: CodeTarget, *, location_name: Optional[str] = None,
                 storage_url: Optional[str] = None, shutdown_grace: float = 30.0,
                 terminate_grace: float = DEFAULT_TERMINATE_GRACE_SECONDS) -> None:
        self.target = target
        self.location_name = location_name or target.default_location_name
        self.shutdown_grace = shutdown_grace
        self.server_id = str(uuid.uuid4())
        self.started_at = time.time()
        # The image a run launcher starts this location's runs in (a Deployment sets it, from the
        # downward API or explicitly); BERTH_CODE_IMAGE is the older name baked into the image.
        self.image = os.environ.get("BERTH_CONTAINER_IMAGE") or os.environ.get("BERTH_CODE_IMAGE", "")
        self.storage = ServerStorage(storage_url)
        self.worker_records = _worker_record_dir(self.storage.url, self.location_name)
        self.active_runs = ActiveRuns(self.storage, terminate_grace, self.worker_records)
        self.watch = WatchHub()
        self.health = health.HealthServicer()
        self.shutting_down = threading.Event()
        self.stopped = threading.Event()
        self.on_drained: Callable[[], None] = lambda: None
        self._reload_lock = threading.Lock()
        self._start_lock = threading.Lock()
        # Guards the generation / factory pair, so that a factory belongs to exactly one generation.
        self._factory_lock = threading.Lock()
        self._factory: Optional[WorkerFactoryProcess] = None
        self._factory_generation = 0
        self._retired_factories: list[WorkerFactoryProcess] = []
        self.generation = CodeGeneration(0, self.location_name, {}, None)

    # -- loading -------------------------------------------------------------------------------

    def load(self) -> None:
        """Import the user code (generation 1); its worker factory follows once the snapshots are built."""
        with self._reload_lock:
            self._install(self._load_next())

    def recover_runs(self) -> None:
        """Adopt or fail the runs that an earlier server of this location left behind (before serving)."""
        if self.worker_records is None:
            return
        from berth.server.run_recovery import recover_runs

        try:
            recovered = recover_runs(self.worker_records, self.storage.get, self.active_runs, self.location_name)
        except Exception:  # noqa: BLE001 - storage down: serve anyway; the records wait for the next start
            _log.exception("location %s: could not check the runs a previous code server left behind",
                           self.location_name)
            return
        if recovered.adopted or recovered.failed:
            _log.warning("location %s: adopted %d runs whose workers outlived the previous code server, "
                         "failed %d whose workers are gone", self.location_name, len(recovered.adopted),
                         len(recovered.failed))

    def reload(self) -> code_location_pb2.ServerInfo:
        """Import the user code afresh (a new generation); in-flight runs keep running."""
        with self._reload_lock:
            self._install(self._load_next())
        info = self.server_info()
        self.watch.publish(Kind.KIND_RELOADED, info)
        return info

    def _load_next(self) -> CodeGeneration:
        return load_generation(self.target, self.generation.number + 1, self.location_name)

    def _install(self, generation: CodeGeneration) -> None:
        with self._factory_lock:
            old_factory, self._factory = self._factory, None
            self.generation = generation
            if old_factory is not None:
                old_factory.retire()
                self._retired_factories.append(old_factory)
        if generation.load_error is None:
            # The webserver asks for the snapshot right after connecting: have it ready.
            threading.Thread(target=self._prepare, args=(generation,), name="berth-snapshot-build",
                             daemon=True).start()
        if not self.shutting_down.is_set():
            status = health_pb2.HealthCheckResponse.SERVING if generation.load_error is None \
                else health_pb2.HealthCheckResponse.NOT_SERVING
            # The process itself is live either way; only the location's service reports the error.
            self.health.set("", health_pb2.HealthCheckResponse.SERVING)
            self.health.set(SERVICE_NAME, status)

    def _prepare(self, generation: CodeGeneration) -> None:
        generation.prebuild()
        # Waiting on the stop event (not sleeping) lets a shutdown cut the delay short.
        if not self.shutting_down.wait(_FACTORY_DELAY_SECONDS):
            self._factory_of(generation)

    def _factory_of(self, generation: CodeGeneration) -> Optional[WorkerFactoryProcess]:
        """The generation's worker factory, started now if it has not been (None if it cannot run)."""
        with self._factory_lock:
            if generation is not self.generation or generation.load_error is not None:
                return None
            if self._factory_generation != generation.number and not self.shutting_down.is_set():
                self._factory_generation = generation.number
                self._factory = self._spawn_factory()
            return self._factory

    def _spawn_factory(self) -> Optional[WorkerFactoryProcess]:
        try:
            records = self.worker_records
            return WorkerFactoryProcess(self.target, self.active_runs.on_worker_exit,
                                        self.active_runs.on_workers_lost,
                                        records.factory_log_path(self.location_name) if records else None)
        except OSError:
            _log.exception("could not start the worker factory; runs will start as subprocesses")
            return None

    @property
    def worker_factory(self) -> Optional[WorkerFactoryProcess]:
        """The worker factory of the current generation, started now if it has not been yet.

        None when the code failed to load, the server is shutting down, or the factory could not start.
        """
        return self._factory_of(self.generation)

    # -- info ----------------------------------------------------------------------------------

    def server_info(self) -> code_location_pb2.ServerInfo:
        """Who this server is now."""
        generation = self.generation
        info = code_location_pb2.ServerInfo(
            location_name=self.location_name, server_id=self.server_id, berth_version=__version__,
            image=self.image, generation=generation.number, pid=os.getpid(),
            started_at=self.started_at, shutting_down=self.shutting_down.is_set(),
            code_target=self.target.to_proto())
        if generation.load_error is not None:
            info.load_error.CopyFrom(error_to_proto(generation.load_error))
        return info

    # -- runs ----------------------------------------------------------------------------------

    def start_run(self, run_id: str, repository_name: str, job_name: str) -> int:
        """Start a worker for a stored run; return its pid.

        Raises a ``StartRunRefused``: ``LocationLoadFailed``, ``JobLookupError`` (from the
        definitions), ``ServerShuttingDown``, ``RunAlreadyActive`` or ``WorkerNotStarted``.
        """
        generation = self.generation
        if generation.load_error is not None:
            raise LocationLoadFailed(f"code location {self.location_name!r} failed to load: "
                                     f"{generation.load_error.message}")
        repository_name = generation.find_job(repository_name, job_name)[0].name
        url = self.storage.url
        factory = self._factory_of(generation)
        if factory is not None:
            # A factory still importing the code is worth waiting for, outside the lock.
            factory.wait_ready(_FACTORY_READY_SECONDS)
        with self._start_lock:
            if self.shutting_down.is_set():
                raise ServerShuttingDown("code server is shutting down")
            if self.active_runs.is_active(run_id):
                raise RunAlreadyActive(f"run {run_id} is already running")
            pid = self._start_worker(factory, run_id, url, repository_name, job_name)
            self.active_runs.add(ActiveRun(run_id, pid, time.time()))
        # Open the run's storage now, off the request path, so that a cancel (which records
        # CANCELING before it signals the worker) does not wait for the first connection.
        self.storage.open_in_background()
        return pid

    def _start_worker(self, factory: Optional[WorkerFactoryProcess], run_id: str, url: str,
                      repository_name: str, job_name: str) -> int:
        records = self.worker_records
        places = WorkerPlaces(records.record_path(run_id), records.log_path(run_id)) if records else None
        if factory is not None and factory.is_alive():
            try:
                return factory.start_worker(run_id, url, repository_name, job_name,
                                            timeout=_FACTORY_READY_SECONDS, places=places)
            except WorkerStartError:
                _log.warning("worker factory unavailable; starting run %s as a subprocess", run_id)
        try:
            return start_subprocess_worker(self.target, run_id, url, repository_name, job_name,
                                           self.active_runs.on_worker_exit, places)
        except WorkerStartError as exc:
            raise WorkerNotStarted(str(exc)) from exc

    def cancel_run(self, run_id: str, force: bool = False) -> bool:
        """Cancel an active run (CANCELING, then SIGTERM to its worker, SIGKILL to its process
        group after the terminate grace, or at once with ``force``); False if not active."""
        return self.active_runs.cancel(run_id, force)

    # -- shutdown ------------------------------------------------------------------------------

    def request_shutdown(self) -> int:
        """Stop taking runs and drain in the background; return the number of active runs."""
        with self._start_lock:
            first = not self.shutting_down.is_set()
            self.shutting_down.set()
        if first:
            self.health.enter_graceful_shutdown()
            self.watch.publish(Kind.KIND_SHUTTING_DOWN, self.server_info())
            threading.Thread(target=self._drain, name="berth-shutdown-drain", daemon=True).start()
        return len(self.active_runs)

    def _drain(self) -> None:
        self._tell_active_runs(f"The code server of location '{self.location_name}' is shutting down: it waits up "
                               f"to {self.shutdown_grace:g} s for the run to finish, then cancels it.")
        if not self.active_runs.wait_until_idle(self.shutdown_grace):
            _log.warning("shutdown grace period over; canceling %d runs", len(self.active_runs))
            self._tell_active_runs(f"The code server of location '{self.location_name}' is shutting down and its "
                                   f"grace period of {self.shutdown_grace:g} s is over: canceling the run.")
            self.active_runs.cancel_all()
            self.active_runs.wait_until_idle(_CANCEL_WAIT_SECONDS)
        self.on_drained()

    def _tell_active_runs(self, message: str) -> None:
        """Record ``message`` in the event log of every active run (a storage hiccup is only logged)."""
        from berth.events import EventType, RunEvent

        for run_id in self.active_runs.run_ids():
            try:
                self.storage.get().store_event(RunEvent(run_id, message, EventType.ENGINE_EVENT,
                                                        level=logging.WARNING))
            except Exception:  # noqa: BLE001 - the drain must go on; the run's own end still comes
                _log.exception("could not record the shutdown in the event log of run %s", run_id)

    def close(self, cancel_wait: float = _CANCEL_WAIT_SECONDS) -> None:
        """Release everything: cancel runs still active, retire factories, close storages."""
        if self.stopped.is_set():
            return
        self.shutting_down.set()
        self.watch.close()
        if self.active_runs.cancel_all():
            self.active_runs.wait_until_idle(cancel_wait)
        with self._factory_lock:  # no factory starts after this (shutting_down is set)
            factories = [f for f in [self._factory, *self._retired_factories] if f is not None]
        for factory in factories:
            factory.retire()
        for factory in factories:
            if factory.wait(cancel_wait) is None:
                factory.kill()
        self.storage.dispose()
        self.stopped.set()

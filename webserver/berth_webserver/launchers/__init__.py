"""Run launchers beyond the default one: how a STARTING run gets a worker.

The default launcher (``berth_webserver.launcher.RunLauncher``, ``code_server``) has the run's code
server fork the worker. ``k8s_job`` (``launchers.k8s_job.K8sJobLauncher``) creates a Kubernetes Job
in the location's image that runs ``berth run-worker``. Both satisfy ``launchers.protocol.Launcher``,
which is all the operations and the run monitor rely on.
"""

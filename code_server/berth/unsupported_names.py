"""Names of Dagster's API that berth does not serve, and what each belongs to.

``from berth import asset`` (any name here) raises a DefinitionError that names the part and
points at docs/api.md, rather than Python's bare "cannot import name". The table is plain data so
that ``berth/__init__.py`` stays small; tests check it shares no name with berth's ``__all__``.
"""

from __future__ import annotations

__all__ = ["UNSUPPORTED_DAGSTER_NAMES"]

_AREAS = {
    "assets": ("asset", "multi_asset", "graph_asset", "graph_multi_asset", "observable_source_asset", "AssetIn",
               "AssetOut", "AssetKey", "AssetSpec", "AssetsDefinition", "AssetExecutionContext", "AssetSelection",
               "SourceAsset", "define_asset_job", "materialize", "materialize_to_memory", "load_assets_from_modules",
               "load_assets_from_package_module", "AssetMaterialization", "AssetObservation", "MaterializeResult",
               "asset_check", "AssetCheckResult", "AssetCheckSpec", "AutomationCondition", "FreshnessPolicy",
               "AutoMaterializePolicy", "ExpectationResult"),
    "schedules and sensors": ("schedule", "ScheduleDefinition", "sensor", "SensorDefinition", "RunRequest",
                              "SkipReason", "SensorEvaluationContext", "ScheduleEvaluationContext", "run_status_sensor",
                              "run_failure_sensor", "DefaultScheduleStatus", "DefaultSensorStatus",
                              "build_schedule_from_partitioned_job"),
    "partitions": ("PartitionsDefinition", "StaticPartitionsDefinition", "DailyPartitionsDefinition",
                   "HourlyPartitionsDefinition", "WeeklyPartitionsDefinition", "MonthlyPartitionsDefinition",
                   "TimeWindowPartitionsDefinition", "DynamicPartitionsDefinition", "MultiPartitionsDefinition",
                   "PartitionKeyRange", "partitioned_config", "static_partitioned_config",
                   "daily_partitioned_config", "hourly_partitioned_config"),
    "config mappings": ("ConfigMapping", "config_mapping"),
    "op hooks": ("success_hook", "failure_hook", "HookContext", "HookDefinition"),
    "custom loggers": ("logger", "LoggerDefinition", "InitLoggerContext"),
    "executors": ("executor", "ExecutorDefinition", "in_process_executor", "multiprocess_executor"),
    "Dagster's own IO managers (berth's default io_manager is its output store)": (
        "fs_io_manager", "mem_io_manager", "FilesystemIOManager", "InMemoryIOManager", "UPathIOManager"),
    "Dagster types": ("DagsterType", "PythonObjectDagsterType", "usable_as_dagster_type", "TypeCheck",
                      "dagster_type_loader", "make_python_type_usable_as_dagster_type"),
    "retry requests raised by ops (use RetryPolicy)": ("RetryRequested",),
    "the Dagster instance and in-process test execution": ("DagsterInstance", "execute_job", "reconstructable",
                                                           "build_resources", "validate_run_config"),
    "resource binding helpers": ("with_resources",),
}

UNSUPPORTED_DAGSTER_NAMES: dict[str, str] = {name: area for area, names in _AREAS.items() for name in names}

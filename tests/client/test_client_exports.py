"""The package's public names are exactly the documented ones, and each is documented."""

from __future__ import annotations

import importlib
import inspect

import berth_client

DOCUMENTED = {
    # clients
    "BerthClient", "DagsterGraphQLClient", "AsyncBerthClient",
    # enums
    "DagsterRunStatus", "LocationLoadStatus", "ReloadRepositoryLocationStatus",
    "ShutdownRepositoryLocationStatus", "StepEventStatus", "TerminateRunPolicy",
    # results
    "ConfigValidationError", "InvalidOutputErrorInfo", "JobHandle", "JobSummary", "LocationStatus",
    "ReloadRepositoryLocationInfo", "Run", "RunEvent", "ShutdownRepositoryLocationInfo", "StepStats",
    # errors
    "DagsterGraphQLClientError", "TransportError", "ConnectError", "RequestTimeout", "HTTPStatusError",
    "AuthenticationError",
    "InvalidResponseError", "GraphQLError", "NotFoundError", "AmbiguousJobError",
    "RunConfigValidationError", "RunWaitTimeout",
    "__version__",
}


def test_all_is_sorted_and_exactly_the_documented_names() -> None:
    assert berth_client.__all__ == sorted(berth_client.__all__)
    assert set(berth_client.__all__) == DOCUMENTED


def test_every_exported_name_exists_and_public_classes_have_docstrings() -> None:
    for name in berth_client.__all__:
        value = getattr(berth_client, name)
        if inspect.isclass(value):
            assert value.__doc__ and value.__doc__.strip(), name


def test_dagster_names_are_aliases_of_the_berth_client() -> None:
    assert berth_client.DagsterGraphQLClient is berth_client.BerthClient


def test_private_modules_declare_all_and_export_only_what_they_define() -> None:
    for module_name in ("_client", "_async_client", "_transport", "_exceptions", "_models", "_queries",
                        "_enums", "_cli", "_flows", "_results", "_stream"):
        module = importlib.import_module(f"berth_client.{module_name}")
        assert module.__all__, module_name
        for name in module.__all__:
            assert hasattr(module, name), f"{module_name}.{name}"


def test_exception_tree_in_the_docstring_matches_the_classes() -> None:
    from berth_client import _exceptions

    tree = _exceptions.__doc__
    for name in _exceptions.__all__:
        assert name in tree, name
        cls = getattr(_exceptions, name)
        assert issubclass(cls, berth_client.DagsterGraphQLClientError)
        assert cls.__doc__ and "\n" not in cls.__doc__.strip(), f"{name} needs a one-line docstring"
    assert issubclass(berth_client.ConnectError, berth_client.TransportError)
    assert issubclass(berth_client.HTTPStatusError, berth_client.TransportError)


def test_status_enums_carry_dagsters_values() -> None:
    assert [s.value for s in berth_client.DagsterRunStatus] == [
        "QUEUED", "NOT_STARTED", "MANAGED", "STARTING", "STARTED", "SUSPENDED",
        "SUCCESS", "FAILURE", "CANCELING", "CANCELED",
    ]
    assert berth_client.DagsterRunStatus.SUCCESS == "SUCCESS"
    assert {s.value for s in berth_client.ReloadRepositoryLocationStatus} == {"SUCCESS", "FAILURE"}
    assert {s.value for s in berth_client.ShutdownRepositoryLocationStatus} == {"SUCCESS", "FAILURE"}


def test_client_error_keeps_args_and_body_like_dagsters() -> None:
    error = berth_client.DagsterGraphQLClientError("PythonError", "boom", body={"x": 1})
    assert error.args == ("PythonError", "boom")
    assert error.body == {"x": 1}
    assert berth_client.DagsterGraphQLClientError("x").body is None

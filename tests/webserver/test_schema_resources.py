"""What the API says about resources: each op's ``requiredResources`` and the job's resources with their config.

The location (``locations/resources_graph.py``) runs in a real code server behind the schema;
``tests/compat/test_resources_agree.py`` checks the same query's answer equals Dagster's.
"""

from __future__ import annotations

import pathlib
from typing import Any, Iterator

import pytest
from test_schema_harness import SchemaHarness, python_file_origin, served_harness

RESOURCES_FILE = pathlib.Path(__file__).resolve().parent / "locations" / "resources_graph.py"
QUERY = RESOURCES_FILE.with_suffix(".graphql").read_text()
SELECTOR = {"repositoryLocationName": "resources_graph", "repositoryName": "__repository__",
            "pipelineName": "resources_job"}


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SchemaHarness]:
    """The resources location served by a real code server, with SQLite storage."""
    with served_harness(tmp_path_factory.mktemp("resources"), [python_file_origin("resources_graph", RESOURCES_FILE)]) as served:
        yield served


def _pipeline(harness: SchemaHarness) -> dict[str, Any]:
    data = harness.execute(QUERY, {"selector": SELECTOR})["pipelineOrError"]
    assert data["__typename"] == "Pipeline"
    return data


def test_each_op_lists_the_resources_it_requires(harness: SchemaHarness) -> None:
    required = {solid["name"]: [r["resourceKey"] for r in solid["definition"]["requiredResources"]]
                for solid in _pipeline(harness)["solids"]}
    assert required == {"archive": ["notifier", "storage"], "export": ["warehouse"], "notify": ["notifier"],
                        "plain": []}


def test_the_mode_lists_every_resource_with_its_description_and_config(harness: SchemaHarness) -> None:
    (mode,) = _pipeline(harness)["modes"]
    resources = {resource["name"]: resource for resource in mode["resources"]}
    assert sorted(resources) == ["io_manager", "notifier", "storage", "warehouse"]
    assert resources["storage"]["description"] == "Object storage for reports."
    assert resources["warehouse"]["description"] == "Where the tables live."
    warehouse = resources["warehouse"]["configField"]
    # the constructor's values are the config's default; the EnvVar shows as the variable's name only
    assert warehouse["defaultValueAsJson"] == ('{"password": {"env": "WAREHOUSE_PASSWORD"}, "port": 6543, '
                                               '"user": "reader"}')
    fields = {field["name"]: field["configType"] for field in warehouse["configType"]["fields"]}
    assert fields["user"]["key"] == "StringSourceType"
    assert fields["user"]["scalarType"] == {"key": "String"}
    assert fields["user"]["nonScalarType"]["fields"] == [{"name": "env", "configTypeKey": "String"}]
    assert fields["port"] == {"__typename": "NullableConfigType", "key": "Noneable.IntSourceType"}
    assert resources["notifier"]["configField"]["isRequired"] is True
    assert resources["io_manager"]["configField"]["isRequired"] is False

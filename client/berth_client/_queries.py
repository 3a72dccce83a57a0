"""The GraphQL documents the client sends.

The first seven are the documents Dagster's own client sends, so that berth and a Dagster
webserver see the same requests; the rest use only fields of Dagster's schema.
"""

from __future__ import annotations

__all__ = [
    "DELETE_RUN_MUTATION",
    "GET_JOBS_QUERY",
    "GET_LOCATION_STATUSES_QUERY",
    "GET_REPOSITORIES_AND_JOBS_QUERY",
    "GET_RUN_EVENTS_QUERY",
    "GET_RUN_QUERY",
    "GET_RUN_STATUS_QUERY",
    "GET_RUNS_QUERY",
    "GET_WORKSPACE_QUERY",
    "LAUNCH_RUN_MUTATION",
    "REEXECUTE_RUN_MUTATION",
    "RELOAD_LOCATION_MUTATION",
    "RUN_EVENTS_SUBSCRIPTION",
    "SHUTDOWN_LOCATION_MUTATION",
    "TERMINATE_RUN_MUTATION",
    "TERMINATE_RUNS_MUTATION",
    "is_mutation",
]


def is_mutation(document: str) -> bool:
    """True when the document is a mutation: such a request is never retried."""
    return document.lstrip().startswith("mutation")


LAUNCH_RUN_MUTATION = """
mutation GraphQLClientSubmitRun($executionParams: ExecutionParams!) {
  launchPipelineExecution(executionParams: $executionParams) {
    __typename
    ... on InvalidStepError { invalidStepKey }
    ... on InvalidOutputError { stepKey invalidOutputName }
    ... on LaunchPipelineRunSuccess { run { runId } }
    ... on ConflictingExecutionParamsError { message }
    ... on PresetNotFoundError { message }
    ... on PipelineRunConflict { message }
    ... on PipelineConfigValidationInvalid {
      errors { __typename message path reason }
    }
    ... on PipelineNotFoundError { message }
    ... on InvalidSubsetError { message }
    ... on PythonError { message }
    ... on UnauthorizedError { message }
  }
}
"""

GET_REPOSITORIES_AND_JOBS_QUERY = """
query GraphQLClientGetJobNames {
  repositoriesOrError {
    __typename
    ... on RepositoryConnection {
      nodes {
        name
        location { name }
        pipelines { name }
      }
    }
    ... on PythonError { message }
  }
}
"""

RELOAD_LOCATION_MUTATION = """
mutation GraphQLClientReloadCodeLocation($repositoryLocationName: String!) {
  reloadRepositoryLocation(repositoryLocationName: $repositoryLocationName) {
    __typename
    ... on WorkspaceLocationEntry {
      name
      loadStatus
      locationOrLoadError {
        __typename
        ... on RepositoryLocation { isReloadSupported repositories { name } }
        ... on PythonError { message }
      }
    }
    ... on ReloadNotSupported { message }
    ... on RepositoryLocationNotFound { message }
    ... on UnauthorizedError { message }
    ... on PythonError { message }
  }
}
"""

GET_RUN_STATUS_QUERY = """
query GraphQLClientGetRunStatus($runId: ID!) {
  pipelineRunOrError(runId: $runId) {
    __typename
    ... on PipelineRun { status }
    ... on PipelineRunNotFoundError { message }
    ... on PythonError { message }
  }
}
"""

SHUTDOWN_LOCATION_MUTATION = """
mutation GraphQLClientShutdownCodeLocation($repositoryLocationName: String!) {
  shutdownRepositoryLocation(repositoryLocationName: $repositoryLocationName) {
    __typename
    ... on PythonError { message }
    ... on RepositoryLocationNotFound { message }
    ... on UnauthorizedError { message }
  }
}
"""

TERMINATE_RUN_MUTATION = """
mutation GraphQLClientTerminateRun($runId: String!, $terminatePolicy: TerminateRunPolicy) {
  terminateRun(runId: $runId, terminatePolicy: $terminatePolicy) {
    __typename
    ... on TerminateRunSuccess { run { runId } }
    ... on TerminateRunFailure { message }
    ... on RunNotFoundError { runId message }
    ... on UnauthorizedError { message }
    ... on PythonError { message stack }
  }
}
"""

TERMINATE_RUNS_MUTATION = """
mutation GraphQLClientTerminateRuns($runIds: [String!]!, $terminatePolicy: TerminateRunPolicy) {
  terminateRuns(runIds: $runIds, terminatePolicy: $terminatePolicy) {
    __typename
    ... on TerminateRunsResult {
      terminateRunResults {
        __typename
        ... on TerminateRunSuccess { run { runId } }
        ... on TerminateRunFailure { message }
        ... on RunNotFoundError { runId message }
        ... on UnauthorizedError { message }
        ... on PythonError { message stack }
      }
    }
    ... on PythonError { message }
  }
}
"""

_RUN_FIELDS = """
fragment BerthClientRunFields on Run {
  runId
  jobName
  status
  creationTime
  startTime
  endTime
  updateTime
  runConfig
  solidSelection
  parentRunId
  rootRunId
  canTerminate
  repositoryOrigin { repositoryLocationName repositoryName }
  tags { key value }
  stepStats { stepKey status startTime endTime }
}
"""

GET_RUN_QUERY = (
    """
query BerthClientGetRun($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { ...BerthClientRunFields }
    ... on RunNotFoundError { message }
    ... on PythonError { message }
  }
}
"""
    + _RUN_FIELDS
)

GET_RUNS_QUERY = (
    """
query BerthClientGetRuns($filter: RunsFilter, $cursor: String, $limit: Int) {
  runsOrError(filter: $filter, cursor: $cursor, limit: $limit) {
    __typename
    ... on Runs { results { ...BerthClientRunFields } }
    ... on InvalidPipelineRunsFilterError { message }
    ... on PythonError { message }
  }
}
"""
    + _RUN_FIELDS
)

_EVENT_FIELDS = """
fragment BerthClientEventFields on DagsterRunEvent {
  __typename
  ... on MessageEvent { runId message timestamp level stepKey eventType }
  ... on ExecutionStepFailureEvent { error { message } }
  ... on RunFailureEvent { error { message } }
}
"""

GET_RUN_EVENTS_QUERY = (
    """
query BerthClientGetRunEvents($runId: ID!, $afterCursor: String, $limit: Int) {
  logsForRun(runId: $runId, afterCursor: $afterCursor, limit: $limit) {
    __typename
    ... on EventConnection {
      events { ...BerthClientEventFields }
      cursor
      hasMore
    }
    ... on RunNotFoundError { message }
    ... on PythonError { message }
  }
}
"""
    + _EVENT_FIELDS
)

RUN_EVENTS_SUBSCRIPTION = (
    """
subscription BerthClientRunEvents($runId: ID!, $cursor: String) {
  pipelineRunLogs(runId: $runId, cursor: $cursor) {
    __typename
    ... on PipelineRunLogsSubscriptionSuccess {
      run { runId status }
      messages { ...BerthClientEventFields }
      hasMorePastEvents
      cursor
    }
    ... on PipelineRunLogsSubscriptionFailure { message missingRunId }
  }
}
"""
    + _EVENT_FIELDS
)

GET_LOCATION_STATUSES_QUERY = """
query BerthClientGetLocationStatuses {
  locationStatusesOrError {
    __typename
    ... on WorkspaceLocationStatusEntries {
      entries { name loadStatus updateTimestamp }
    }
    ... on PythonError { message }
  }
}
"""

GET_WORKSPACE_QUERY = """
query BerthClientGetWorkspace {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError {
          __typename
          ... on PythonError { message }
        }
      }
    }
    ... on PythonError { message }
  }
}
"""

GET_JOBS_QUERY = """
query BerthClientGetJobs {
  repositoriesOrError {
    __typename
    ... on RepositoryConnection {
      nodes {
        name
        location { name }
        pipelines { name description }
      }
    }
    ... on PythonError { message }
  }
}
"""

REEXECUTE_RUN_MUTATION = """
mutation BerthClientReexecuteRun($reexecutionParams: ReexecutionParams!) {
  launchRunReexecution(reexecutionParams: $reexecutionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on InvalidStepError { invalidStepKey }
    ... on InvalidOutputError { stepKey invalidOutputName }
    ... on RunConfigValidationInvalid {
      errors { __typename message path reason }
    }
    ... on PipelineNotFoundError { message }
    ... on RunConflict { message }
    ... on UnauthorizedError { message }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
    ... on ConflictingExecutionParamsError { message }
  }
}
"""

DELETE_RUN_MUTATION = """
mutation BerthClientDeleteRun($runId: String!) {
  deleteRun(runId: $runId) {
    __typename
    ... on DeletePipelineRunSuccess { runId }
    ... on RunNotFoundError { runId message }
    ... on UnauthorizedError { message }
    ... on PythonError { message }
  }
}
"""

"""The GraphQL query the deployment tests use to see a code location as the webserver shows it."""

from __future__ import annotations

__all__ = ["LOCATION_QUERY"]

LOCATION_QUERY = """
query ($name: String!) {
  workspaceLocationEntryOrError(name: $name) {
    __typename
    ... on WorkspaceLocationEntry {
      name
      loadStatus
      locationOrLoadError {
        __typename
        ... on RepositoryLocation { name serverId repositories { name } }
        ... on PythonError { message }
      }
    }
  }
}
"""

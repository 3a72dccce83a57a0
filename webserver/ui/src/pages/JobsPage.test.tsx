import { describe, expect, it } from "vitest";
import type { JobsListQuery } from "../gql/graphql";
import { jobRows, searchJobs } from "./JobsPage";

function workspace(count: number): JobsListQuery {
  return {
    __typename: "Query",
    repositoriesOrError: {
      __typename: "RepositoryConnection",
      nodes: [{
        __typename: "Repository", id: "r", name: "repo", location: { __typename: "RepositoryLocation", id: "l", name: "loc" },
        jobs: Array.from({ length: count }, (_, i) => ({ __typename: "Job" as const, id: `j${i}`, name: `job_${i}`, description: i % 2 ? "odd one" : null })),
      }],
    },
  } as JobsListQuery;
}

describe("jobs search", () => {
  it("lists every job once, sorted, and finds by every word", () => {
    const rows = jobRows(workspace(5000));
    expect(rows.length).toBe(5000);
    expect(searchJobs(rows, "job_4999").map((row) => row.name)).toEqual(["job_4999"]);
    expect(searchJobs(rows, "ODD loc").length).toBe(2500);
    expect(searchJobs(rows, "  ").length).toBe(5000);
  });
});

import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { RunSummaryFragment } from "../gql/graphql";
import { filterFromSearch, RunsTable } from "./RunsPage";

const RUN: RunSummaryFragment = {
  __typename: "Run", id: "r1", runId: "aaaaaaaa-1111", status: "FAILURE", jobName: "etl_job", creationTime: 1700000000,
  startTime: 1700000001, endTime: 1700000003,
  tags: [{ __typename: "PipelineTag", key: "team", value: "data" }, { __typename: "PipelineTag", key: "berth/internal", value: "x" }],
  repositoryOrigin: { __typename: "RepositoryOrigin", repositoryLocationName: "hello", repositoryName: "__repository__" },
};

describe("RunsPage", () => {
  it("reads status, job and tag filters from the URL", () => {
    expect(filterFromSearch(new URLSearchParams("status=FAILURE&job=etl_job&tag=team=a=b"))).toEqual({
      statuses: ["FAILURE"], pipelineName: "etl_job", tags: [{ key: "team", value: "a=b" }],
    });
    expect(filterFromSearch(new URLSearchParams("status=IN_PROGRESS")).statuses).toContain("STARTED");
    expect(filterFromSearch(new URLSearchParams("status=bogus&tag=novalue&after=garbage"))).toEqual({});
    expect(filterFromSearch(new URLSearchParams("after=2026-01-02T03:04")).createdAfter).toBe(Date.parse("2026-01-02T03:04") / 1000);
  });
  it("shows a row per run with its status and user tags, and selects by checkbox", () => {
    const onToggle = vi.fn();
    render(<RunsTable runs={[RUN]} selected={new Set()} allSelected={false} onToggle={onToggle} onToggleAll={() => undefined} />);
    expect(screen.getByText("aaaaaaaa")).toBeTruthy();
    expect(screen.getByText("Failure")).toBeTruthy();
    expect(screen.getByText("team=data")).toBeTruthy();
    expect(screen.queryByText(/berth\/internal/)).toBeNull();
    fireEvent.click(screen.getByLabelText("Select run aaaaaaaa-1111"));
    expect(onToggle).toHaveBeenCalledWith("aaaaaaaa-1111");
  });
});

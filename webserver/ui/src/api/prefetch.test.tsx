// The prefetched first query against a stubbed fetch (a test double: tests/ui drive the real server):
// the page shows the prefetched answer and does not ask the server a second time.
import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { RunsPageDocument } from "../gql/graphql";
import { runsPageVariables } from "../pages/runsQuery";
import { useQuery } from "./hooks";
import { prefetch, takePrefetched } from "./prefetch";
import { isTokenRequired } from "./token";

const PAGE = { data: { runsOrError: { __typename: "Runs", results: [{ __typename: "Run", runId: "prefetched-run" }] } } };

function FirstRun() {
  const { data, error } = useQuery(RunsPageDocument, runsPageVariables(new URLSearchParams("status=FAILURE")));
  const result = data?.runsOrError;
  if (error) return <p>{error.message}</p>;
  return <p>{result?.__typename === "Runs" ? result.results[0].runId : "loading"}</p>;
}

const arrival = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("prefetch", () => {
  it("hands its answer to the first useQuery with the same variables, without a second request", async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify(PAGE), { status: 200 }));
    vi.stubGlobal("fetch", fetch);
    prefetch(RunsPageDocument, runsPageVariables(new URLSearchParams("status=FAILURE")));
    render(<FirstRun />);
    expect(await screen.findByText("prefetched-run")).toBeTruthy();
    expect(fetch).toHaveBeenCalledTimes(1);
  });
  it("is taken once, and only for the same variables", () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify(PAGE), { status: 200 })));
    const variables = runsPageVariables(new URLSearchParams(""));
    prefetch(RunsPageDocument, variables);
    expect(takePrefetched(RunsPageDocument, runsPageVariables(new URLSearchParams("job=x")))).toBeUndefined();
    expect(takePrefetched(RunsPageDocument, variables)).toBeDefined();
    expect(takePrefetched(RunsPageDocument, variables)).toBeUndefined();
  });
  it("puts an answer that has already arrived in the page's first render", async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify(PAGE), { status: 200 }));
    vi.stubGlobal("fetch", fetch);
    prefetch(RunsPageDocument, runsPageVariables(new URLSearchParams("status=FAILURE")));
    await arrival();
    render(<FirstRun />);
    expect(screen.getByText("prefetched-run")).toBeTruthy(); // no "loading" render before it
    await arrival();
    expect(fetch).toHaveBeenCalledTimes(1);
  });
  it("reads an arrived refusal as the app's own: the error in words, and the token prompt", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ errors: [{ message: "no" }] }), { status: 401 })));
    prefetch(RunsPageDocument, runsPageVariables(new URLSearchParams("status=FAILURE")));
    await arrival();
    render(<FirstRun />);
    expect(screen.getByText(/asks for an API token/)).toBeTruthy();
    expect(isTokenRequired()).toBe(true);
  });
});

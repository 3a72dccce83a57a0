import { describe, expect, it } from "vitest";
import { matchPath, pathOf } from "./router";

describe("matchPath", () => {
  it("matches a pattern and decodes its params", () => {
    expect(matchPath("/jobs/:location/:repository/:job", "/jobs/hello/__repository__/a%20job")).toEqual({
      location: "hello", repository: "__repository__", job: "a job",
    });
  });
  it("does not match other lengths or literals", () => {
    expect(matchPath("/runs/:runId", "/runs")).toBeNull();
    expect(matchPath("/runs/:runId", "/jobs/x")).toBeNull();
  });
  it("treats a malformed escape as no match instead of throwing", () => {
    expect(matchPath("/runs/:runId", "/runs/%E0%A4%A")).toBeNull();
  });
  it("escapes each segment when building a path", () => {
    expect(pathOf("jobs", "a/b", "c d")).toBe("/jobs/a%2Fb/c%20d");
  });
});

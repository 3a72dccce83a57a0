// The fetch layer against a stubbed fetch (a test double: the real server is exercised by the
// Playwright tests in tests/ui); what is checked is what the user sees: the header sent, the words.
import { describe, expect, it, vi } from "vitest";
import { RunsPageDocument } from "../gql/graphql";
import { ApiError, request } from "./request";
import { isTokenRequired, storeToken } from "./token";

function answer(status: number, body: unknown) {
  return vi.fn(async () => new Response(typeof body === "string" ? body : JSON.stringify(body), { status }));
}

describe("request", () => {
  it("sends the stored token as a bearer header", async () => {
    storeToken("s3cret");
    const fetch = answer(200, { data: { runsOrError: { __typename: "Runs", count: 0, results: [] } } });
    vi.stubGlobal("fetch", fetch);
    await request(RunsPageDocument, {});
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer s3cret");
  });
  it("sends no authorization header without a token", async () => {
    const fetch = answer(200, { data: { runsOrError: { __typename: "Runs", count: 0, results: [] } } });
    vi.stubGlobal("fetch", fetch);
    await request(RunsPageDocument, {});
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(init.headers).not.toHaveProperty("Authorization");
  });
  it("asks for a token on 401", async () => {
    vi.stubGlobal("fetch", answer(401, { errors: [{ message: "unauthenticated" }] }));
    await expect(request(RunsPageDocument, {})).rejects.toThrow(/asks for an API token/);
    expect(isTokenRequired()).toBe(true);
    storeToken(null);
    expect(isTokenRequired()).toBe(false);
  });
  it("puts GraphQL errors, HTTP failures and network failures in words", async () => {
    vi.stubGlobal("fetch", answer(400, { errors: [{ message: "Variable '$limit' got invalid value", path: ["runsOrError"] }] }));
    await expect(request(RunsPageDocument, {})).rejects.toThrow("The webserver reported: Variable '$limit' got invalid value (at runsOrError)");
    vi.stubGlobal("fetch", answer(502, "<html>Bad gateway</html>"));
    await expect(request(RunsPageDocument, {})).rejects.toThrow(/HTTP 502 .*without a GraphQL result/);
    vi.stubGlobal("fetch", vi.fn(async () => { throw new TypeError("Failed to fetch"); }));
    const failure = await request(RunsPageDocument, {}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as Error).message).toMatch(/Cannot reach the berth webserver at .*: Failed to fetch/);
  });
});

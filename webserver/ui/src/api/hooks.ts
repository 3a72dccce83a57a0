// React hooks over the transport: queries with refetch and optional polling, and subscriptions.
import { useCallback, useEffect, useRef, useState } from "react";
import type { TypedDocumentString } from "../gql/graphql";
import { ApiError, request } from "./request";
import { subscribe } from "./subscriptions";
import { takeArrived, takePrefetched } from "./prefetch";

export type QueryState<T> = {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  refetch: () => Promise<void>;
};

function asApiError(caught: unknown): ApiError {
  return caught instanceof ApiError ? caught : new ApiError(String(caught));
}

/**
 * Run a query when its variables change; with pollMs, again every pollMs while the tab is visible.
 * The previous data stays on screen while a newer answer loads, so polling never flashes.
 */
export function useQuery<TResult, TVariables>(
  doc: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  options: { pollMs?: number; skip?: boolean } = {},
): QueryState<TResult> {
  const key = JSON.stringify(variables);
  // An answer the boot script already has is on screen in the first render, without a request.
  const [arrived] = useState(() => (options.skip ? undefined : takeArrived(doc, variables)));
  const [data, setData] = useState<TResult | null>(arrived && "data" in arrived ? arrived.data : null);
  const [error, setError] = useState<ApiError | null>(arrived && "error" in arrived ? asApiError(arrived.error) : null);
  const [loading, setLoading] = useState(!options.skip && !arrived);
  const answered = useRef(arrived !== undefined);
  const generation = useRef(0);

  const run = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const variables = JSON.parse(key) as TVariables;
      const result = await (takePrefetched(doc, variables) ?? request(doc, variables));
      if (mine === generation.current) {
        setData(result);
        setError(null);
      }
    } catch (caught) {
      if (mine === generation.current) setError(asApiError(caught));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [doc, key]);

  useEffect(() => {
    if (options.skip) return;
    if (answered.current) {
      answered.current = false;
      return;
    }
    setData(null);
    void run();
  }, [run, options.skip]);

  useEffect(() => {
    if (!options.pollMs || options.skip) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState !== "hidden") void run();
    }, options.pollMs);
    return () => window.clearInterval(timer);
  }, [run, options.pollMs, options.skip]);

  return { data, error, loading, refetch: run };
}

/** Subscribe while mounted (and while variables stay the same); onData sees every message. */
export function useSubscription<TResult, TVariables>(
  doc: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  onData: (data: TResult) => void,
  options: { skip?: boolean } = {},
): ApiError | null {
  const key = JSON.stringify(variables);
  const [error, setError] = useState<ApiError | null>(null);
  const handler = useRef(onData);
  handler.current = onData;
  useEffect(() => {
    if (options.skip) return;
    setError(null);
    return subscribe(doc, JSON.parse(key) as TVariables, (data) => {
      setError(null);
      handler.current(data);
    }, setError);
  }, [doc, key, options.skip]);
  return error;
}

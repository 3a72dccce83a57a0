// A run's event log, streamed over the pipelineRunLogs subscription: batches accumulate, and a
// reconnected socket (which replays from the start) resets the list instead of doubling it.
import { useEffect, useState } from "react";
import { RunLogsDocument, type RunEventDetailsFragment, type RunLogsSubscription } from "../gql/graphql";
import type { ApiError } from "./request";
import { onReconnect } from "./subscriptions";
import { useSubscription } from "./hooks";

type LiveRun = Extract<RunLogsSubscription["pipelineRunLogs"], { __typename: "PipelineRunLogsSubscriptionSuccess" }>["run"];

export type RunLogs = {
  events: RunEventDetailsFragment[];
  run: LiveRun | null;
  failure: string | null;
  error: ApiError | null;
  batches: number;
};

export function useRunLogs(runId: string): RunLogs {
  const [state, setState] = useState<Omit<RunLogs, "error">>({ events: [], run: null, failure: null, batches: 0 });
  useEffect(() => {
    setState({ events: [], run: null, failure: null, batches: 0 });
    return onReconnect(() => setState({ events: [], run: null, failure: null, batches: 0 }));
  }, [runId]);
  const error = useSubscription(RunLogsDocument, { runId, cursor: null }, (data) => {
    const payload = data.pipelineRunLogs;
    if (payload.__typename === "PipelineRunLogsSubscriptionFailure") {
      setState((old) => ({ ...old, failure: payload.message }));
      return;
    }
    setState((old) => ({
      events: payload.messages.length ? [...old.events, ...payload.messages] : old.events,
      run: payload.run,
      failure: null,
      batches: old.batches + 1,
    }));
  });
  return { ...state, error };
}

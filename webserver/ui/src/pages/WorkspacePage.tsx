// The workspace: every code location with its load status, server id, image, last update and load
// error; Reload and Shutdown (confirmed). locationStateChangeEvents keeps it live: a location that
// goes down, comes back or reloads is fetched again without reloading the page.
import { useState } from "react";
import { request } from "../api/request";
import { useQuery, useSubscription } from "../api/hooks";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorView, PythonErrorView } from "../components/ErrorView";
import { GuardedButton } from "../components/GuardedButton";
import { formatTime } from "../format";
import { LocationStateChangesDocument, ReloadLocationDocument, ShutdownLocationDocument, WorkspaceDocument, type LocationEntryFragment } from "../gql/graphql";
import { Link, pathOf } from "../router";

type Activity = { at: number; text: string };

export function WorkspacePage() {
  const { data, error, refetch } = useQuery(WorkspaceDocument, {});
  const [activity, setActivity] = useState<Activity[]>([]);
  const [busy, setBusy] = useState<Record<string, string>>({});
  const [confirmShutdown, setConfirmShutdown] = useState<string | null>(null);
  const [notices, setNotices] = useState<Record<string, { text: string; isError: boolean }>>({});

  const streamError = useSubscription(LocationStateChangesDocument, {}, (message) => {
    const event = message.locationStateChangeEvents.event;
    setActivity((old) => [{ at: Date.now(), text: `${event.locationName}: ${event.message || event.eventType}` }, ...old].slice(0, 20));
    void refetch();
  });

  const note = (name: string, text: string, isError: boolean) => setNotices((old) => ({ ...old, [name]: { text, isError } }));

  const reload = async (name: string) => {
    setBusy((old) => ({ ...old, [name]: "Reloading…" }));
    try {
      const answer = (await request(ReloadLocationDocument, { name })).reloadRepositoryLocation;
      if (answer.__typename === "WorkspaceLocationEntry") {
        const loadError = answer.locationOrLoadError?.__typename === "PythonError";
        note(name, loadError ? "Reloaded, but the location failed to load (see its error)." : "Reloaded.", loadError);
      } else note(name, `Could not reload: ${answer.message}`, true);
    } catch (caught) {
      note(name, `Could not reload: ${(caught as Error).message}`, true);
    }
    setBusy((old) => ({ ...old, [name]: "" }));
    await refetch();
  };

  const shutdown = async (name: string) => {
    setConfirmShutdown(null);
    try {
      const answer = (await request(ShutdownLocationDocument, { name })).shutdownRepositoryLocation;
      if (answer.__typename === "ShutdownRepositoryLocationSuccess") note(name, "Shutdown requested: its supervisor restarts it.", false);
      else note(name, `Could not shut down: ${answer.message}`, true);
    } catch (caught) {
      note(name, `Could not shut down: ${(caught as Error).message}`, true);
    }
    await refetch();
  };

  const result = data?.workspaceOrError;
  return (
    <section aria-labelledby="workspace-title">
      <h1 id="workspace-title">Workspace</h1>
      {error ? <ErrorView title="Could not load the workspace" error={error} /> : null}
      {result?.__typename === "PythonError" ? <ErrorView title="Could not load the workspace" error={result} /> : null}
      {streamError ? <ErrorView title="Live location updates failed" error={streamError} /> : null}
      {!data && !error ? <p aria-busy="true">Loading locations…</p> : null}
      {result?.__typename === "Workspace" ? (
        <table className="table locations-table">
          <thead>
            <tr>
              <th scope="col">Location</th>
              <th scope="col">Status</th>
              <th scope="col">Server id</th>
              <th scope="col">Image</th>
              <th scope="col">Updated</th>
              <th scope="col">Repositories</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {result.locationEntries.map((entry) => (
              <LocationRow key={entry.name} entry={entry} busy={busy[entry.name]} notice={notices[entry.name]}
                onReload={() => void reload(entry.name)} onShutdown={() => setConfirmShutdown(entry.name)} />
            ))}
          </tbody>
        </table>
      ) : null}
      <section aria-labelledby="activity-title">
        <h2 id="activity-title">Recent location events</h2>
        <ul aria-live="polite" className="activity">
          {activity.length ? activity.map((item, index) => <li key={index}><time>{formatTime(item.at / 1000)}</time> {item.text}</li>)
            : <li className="muted">None since this page opened.</li>}
        </ul>
      </section>
      {confirmShutdown ? (
        <ConfirmDialog title={`Shut down ${confirmShutdown}?`} confirmLabel="Shut down"
          onCancel={() => setConfirmShutdown(null)} onConfirm={() => void shutdown(confirmShutdown)}>
          The code server stops taking runs, lets running ones finish, and exits. Its supervisor (berth dev, Kubernetes,
          compose) starts it again and the webserver reloads it.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

type RowProps = {
  entry: LocationEntryFragment;
  busy?: string;
  notice?: { text: string; isError: boolean };
  onReload: () => void;
  onShutdown: () => void;
};

function LocationRow({ entry, busy, notice, onReload, onShutdown }: RowProps) {
  const location = entry.locationOrLoadError;
  const image = entry.displayMetadata.find((item) => item.key === "image")?.value;
  const loaded = location?.__typename === "RepositoryLocation" ? location : null;
  const status = entry.loadStatus === "LOADING" ? "Loading" : location?.__typename === "PythonError" ? "Failed" : loaded ? "Loaded" : "Not loaded";
  return (
    <tr data-location={entry.name}>
      <th scope="row">{entry.name}</th>
      <td>
        <span className={`load-status load-${status.toLowerCase().replace(" ", "-")}`} data-testid="load-status">{status}</span>
        {location?.__typename === "PythonError" ? (
          <div className="error-box"><PythonErrorView error={location} /></div>
        ) : null}
        {notice ? <div role={notice.isError ? "alert" : "status"} className={notice.isError ? "notice notice-error" : "notice"}>{notice.text}</div> : null}
      </td>
      <td className="mono" data-testid="server-id">{loaded?.serverId ?? "–"}</td>
      <td className="mono">{image ?? "–"}</td>
      <td>{formatTime(entry.updatedTimestamp)}</td>
      <td>
        {loaded?.repositories.map((repository) => (
          <div key={repository.id}>
            {repository.name}: {repository.jobs.length} job{repository.jobs.length === 1 ? "" : "s"}
            <ul className="inline-list">
              {repository.jobs.map((job) => (
                <li key={job.id}><Link to={pathOf("jobs", entry.name, repository.name, job.name)}>{job.name}</Link></li>
              ))}
            </ul>
          </div>
        ))}
      </td>
      <td>
        <div className="actions">
        <GuardedButton permission="reload_repository_location" onClick={onReload} disabled={!!busy} aria-label={`Reload ${entry.name}`}>{busy || "Reload"}</GuardedButton>
        <GuardedButton permission="shutdown_repository_location" className="danger" onClick={onShutdown} aria-label={`Shut down ${entry.name}`}>Shut down</GuardedButton>
        </div>
      </td>
    </tr>
  );
}

// The event log: level filter and text search over every event, in a virtualised list.
import { useMemo, useState } from "react";
import type { LogLevel, RunEventDetailsFragment } from "../gql/graphql";
import { VirtualList } from "./VirtualList";

export const LEVELS: LogLevel[] = ["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"];

function eventTime(timestamp: string): string {
  const millis = Number(timestamp);
  const date = Number.isFinite(millis) ? new Date(millis) : new Date(timestamp);
  return date.toLocaleTimeString(undefined, { hour12: false }) + "." + String(date.getMilliseconds()).padStart(3, "0");
}

export function filterEvents(events: RunEventDetailsFragment[], levels: Set<LogLevel>, query: string): RunEventDetailsFragment[] {
  const needle = query.trim().toLowerCase();
  return events.filter((event) => {
    if (!levels.has(event.level)) return false;
    if (!needle) return true;
    return [event.message, event.stepKey ?? "", event.eventType ?? "", event.__typename].some((text) => text.toLowerCase().includes(needle));
  });
}

export function EventLog({ events }: { events: RunEventDetailsFragment[] }) {
  const [levels, setLevels] = useState<Set<LogLevel>>(new Set(LEVELS));
  const [query, setQuery] = useState("");
  const shown = useMemo(() => filterEvents(events, levels, query), [events, levels, query]);
  const toggle = (level: LogLevel) => {
    const next = new Set(levels);
    if (next.has(level)) next.delete(level);
    else next.add(level);
    setLevels(next);
  };
  return (
    <section aria-labelledby="log-title" className="event-log">
      <h2 id="log-title">Event log</h2>
      <div className="filters">
        <fieldset className="levels">
          <legend>Levels</legend>
          {LEVELS.map((level) => (
            <label key={level}>
              <input type="checkbox" checked={levels.has(level)} onChange={() => toggle(level)} /> {level.toLowerCase()}
            </label>
          ))}
        </fieldset>
        <label>Search <input type="search" value={query} onChange={(event) => setQuery(event.target.value)} placeholder="message, step or event type" /></label>
        <span aria-live="polite" className="muted">{shown.length} of {events.length} events</span>
      </div>
      <div className="log-header" aria-hidden="true">
        <span>Time</span><span>Level</span><span>Step</span><span>Event</span><span>Message</span>
      </div>
      <VirtualList items={shown} rowHeight={26} height={Math.min(420, Math.max(80, shown.length * 26 + 2))} label="Event log entries" renderRow={(event) => (
        <div className={`log-row level-${event.level.toLowerCase()}`} title={event.message}>
          <span className="mono">{eventTime(event.timestamp)}</span>
          <span>{event.level}</span>
          <span className="mono">{event.stepKey ?? ""}</span>
          <span>{event.eventType ?? "LOG"}</span>
          <span className="log-message">{event.message}</span>
        </div>
      )} />
    </section>
  );
}

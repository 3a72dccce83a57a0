// Times and durations as people read them.

// One formatter for every call: toLocaleString builds a new one each time, which a table of runs
// pays fifty times on its first render.
let timeFormat: Intl.DateTimeFormat | null = null;

export function formatTime(seconds: number | null | undefined): string {
  if (seconds == null) return "–";
  timeFormat ??= new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
  return timeFormat.format(new Date(seconds * 1000));
}

export function formatDuration(start: number | null | undefined, end: number | null | undefined, now = Date.now() / 1000): string {
  if (start == null) return "–";
  const total = Math.max(0, (end ?? now) - start);
  if (total < 1) return `${Math.round(total * 1000)} ms`;
  if (total < 60) return `${total.toFixed(1)} s`;
  const minutes = Math.floor(total / 60);
  const seconds = Math.round(total % 60);
  if (minutes < 60) return `${minutes}m ${seconds}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

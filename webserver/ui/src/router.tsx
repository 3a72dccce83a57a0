// A small router over the History API: the app's URLs are few and flat, so a path matcher,
// a hook that re-renders on navigation and a Link that keeps the browser's own behaviours suffice.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";
import { ROOT } from "./api/root";

const listeners = new Set<() => void>();

function notify(): void {
  listeners.forEach((listener) => listener());
}

if (typeof window !== "undefined") window.addEventListener("popstate", notify);

/** The app-relative location: path (without the mount root) and query string. */
function currentLocation(): string {
  const path = window.location.pathname.startsWith(ROOT)
    ? window.location.pathname.slice(ROOT.length) || "/"
    : window.location.pathname;
  return path + window.location.search;
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = ROOT + to;
  if (options.replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  notify();
}

export function useLocation(): { path: string; search: URLSearchParams } {
  const location = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    currentLocation,
  );
  const [path, query = ""] = location.split("?", 2);
  return { path, search: new URLSearchParams(query) };
}

/** Match "/runs/:runId" against a path; returns the decoded params or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const parts = pattern.split("/").filter(Boolean);
  const segments = path.split("/").filter(Boolean);
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].startsWith(":")) {
      try {
        params[parts[i].slice(1)] = decodeURIComponent(segments[i]);
      } catch {
        return null; // a malformed escape in a hand-typed URL: no match, so the page says "not found"
      }
    } else if (parts[i] !== segments[i]) return null;
  }
  return params;
}

/** Build a path from segments, escaping each. */
export function pathOf(...segments: string[]): string {
  return "/" + segments.map(encodeURIComponent).join("/");
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    // Let the browser open new tabs and windows itself.
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={ROOT + to} onClick={handle} {...rest} />;
}

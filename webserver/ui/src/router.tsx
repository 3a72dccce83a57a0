// A small router over the History API: the app's URLs are few and flat, so a path matcher,
// a hook that re-renders on navigation and a Link that keeps the browser's own behaviours suffice.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";
import { appLocation, ROOT } from "./api/root";
import { matchPath, pathOf } from "./paths";

export { matchPath, pathOf };

const listeners = new Set<() => void>();

function notify(): void {
  listeners.forEach((listener) => listener());
}

if (typeof window !== "undefined") window.addEventListener("popstate", notify);

function currentLocation(): string {
  const { path, search } = appLocation();
  return path + search;
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

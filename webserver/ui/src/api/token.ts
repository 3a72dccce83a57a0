// The API token, kept in localStorage, and who wants to know when the server asks for one.
const TOKEN_KEY = "berth.token";
const listeners = new Set<() => void>();
let tokenRequired = false;

export function storedToken(): string | null {
  try {
    return window.localStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // storage blocked by the browser: act as if no token
  }
}

export function storeToken(token: string | null): void {
  if (token) window.localStorage.setItem(TOKEN_KEY, token);
  else window.localStorage.removeItem(TOKEN_KEY);
  tokenRequired = false;
  listeners.forEach((listener) => listener());
}

/** Headers that carry the stored token, if any. */
export function authHeaders(): Record<string, string> {
  const token = storedToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** The server answered 401: the token prompt shows. */
export function requireToken(): void {
  tokenRequired = true;
  listeners.forEach((listener) => listener());
}

export function isTokenRequired(): boolean {
  return tokenRequired;
}

export function onTokenChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

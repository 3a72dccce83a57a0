// Shown when the webserver answers 401: the token is stored and the page loads again with it.
import { useState, useSyncExternalStore, type FormEvent } from "react";
import { isTokenRequired, onTokenChange, storeToken, storedToken } from "../api/token";

export function TokenPrompt({ onSaved = () => window.location.reload() }: { onSaved?: () => void }) {
  const required = useSyncExternalStore(onTokenChange, isTokenRequired);
  const [token, setToken] = useState("");
  if (!required) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    storeToken(token.trim() || null);
    onSaved();
  };
  return (
    <div className="overlay">
      <form className="dialog token-prompt" onSubmit={submit} role="dialog" aria-modal="true" aria-labelledby="token-title">
        <h2 id="token-title">Sign in with an API token</h2>
        <p>
          {storedToken() ? "The webserver refused the stored token." : "This webserver asks for an API token."}
        </p>
        <label htmlFor="token-input">API token</label>
        <input id="token-input" type="password" autoComplete="off" autoFocus value={token}
          onChange={(event) => setToken(event.target.value)} />
        <div className="dialog-buttons">
          <button type="submit" className="primary">Use token</button>
        </div>
      </form>
    </div>
  );
}

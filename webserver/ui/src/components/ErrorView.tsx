// Every failure in words: an API error, an Error member of a result union, or a PythonError
// with its class, stack and causes (the stack folded away until asked for).
import type { PythonErrorDetailsFragment } from "../gql/graphql";

type ErrorLike = { __typename?: string; message: string } & Partial<Omit<PythonErrorDetailsFragment, "__typename" | "message">>;

export function PythonErrorView({ error }: { error: ErrorLike }) {
  return (
    <div className="error-detail">
      <p className="error-message">
        {error.className ? <strong>{error.className}: </strong> : null}
        {error.message}
      </p>
      {Array.isArray(error.stack) && error.stack.length ? (
        <details>
          <summary>Stack trace</summary>
          <pre className="stack">{error.stack.join("")}</pre>
        </details>
      ) : null}
      {error.causes?.map((cause, index) => (
        <div key={index} className="error-cause">
          <p>The above was caused by:</p>
          <PythonErrorView error={cause} />
        </div>
      ))}
    </div>
  );
}

export function ErrorView({ title, error }: { title: string; error: ErrorLike | Error | string }) {
  // A JavaScript Error's stack is the UI's own, not the server's: show its message only.
  const shown: ErrorLike = typeof error === "string" ? { message: error }
    : error instanceof Error ? { message: error.message } : (error as ErrorLike);
  return (
    <div role="alert" className="error-box">
      <h2 className="error-title">{title}</h2>
      <PythonErrorView error={shown} />
    </div>
  );
}

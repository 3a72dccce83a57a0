// The launchpad: a YAML run-config editor (CodeMirror, with completions from the config schema in a
// popup) prefilled from the job's config schema, validated as you type (isPipelineConfigValid) with
// each error at its path and marked on its line; tags and an op selection; Launch goes to the run.
import { GuardedButton } from "../components/GuardedButton";
import { useEffect, useMemo, useRef, useState } from "react";
import { request } from "../api/request";
import { useQuery } from "../api/hooks";
import { ConfigTree, type ConfigTypes } from "../components/ConfigTree";
import { ErrorView } from "../components/ErrorView";
import { LaunchRunDocument, RunConfigSchemaDocument, ValidateRunConfigDocument } from "../gql/graphql";
import { completionsAt } from "../launchpad/completions";
import type { Problem } from "../launchpad/editorSupport";
import { YamlEditor, type YamlEditorHandle } from "../launchpad/YamlEditor";
import { scaffoldYaml } from "../launchpad/scaffold";
import { lineOfPath, parseRunConfig } from "../launchpad/yamlErrors";
import { Link, navigate, pathOf } from "../router";

type Props = { location: string; repository: string; job: string };
type Validation = { state: "checking" } | { state: "valid" } | { state: "invalid"; problems: Problem[] } | { state: "failed"; message: string };
type Tag = { key: string; value: string };

export function LaunchpadPage({ location, repository, job }: Props) {
  const [opSelection, setOpSelection] = useState("");
  const solidSelection = useMemo(() => {
    const names = opSelection.split(",").map((name) => name.trim()).filter(Boolean);
    return names.length ? names : null;
  }, [opSelection]);
  const selector = useMemo(() => ({ repositoryLocationName: location, repositoryName: repository, pipelineName: job, solidSelection }),
    [location, repository, job, solidSelection]);
  const schema = useQuery(RunConfigSchemaDocument, { selector: { repositoryLocationName: location, repositoryName: repository, pipelineName: job } });
  const schemaResult = schema.data?.runConfigSchemaOrError;
  const types: ConfigTypes = useMemo(() => new Map(
    schemaResult?.__typename === "RunConfigSchema" ? schemaResult.allConfigTypes.map((type) => [type.key, type]) : []), [schemaResult]);

  const [text, setText] = useState<string | null>(null);
  const [validation, setValidation] = useState<Validation>({ state: "checking" });
  const [tags, setTags] = useState<Tag[]>([]);
  const [launching, setLaunching] = useState(false);
  const [launchError, setLaunchError] = useState<string | null>(null);
  const editor = useRef<YamlEditorHandle>(null);
  const [cursor, setCursor] = useState(0);
  const rootKey = schemaResult?.__typename === "RunConfigSchema" ? schemaResult.rootConfigType.key : null;
  const here = useMemo(() => (text !== null && rootKey ? completionsAt(types, rootKey, text, Math.min(cursor, text.length)) : null),
    [types, rootKey, text, cursor]);
  const complete = (name: string) => {
    if (here) editor.current?.insertKey(name, here.indent);
  };

  // Prefill once the schema is known.
  useEffect(() => {
    if (text === null && schemaResult?.__typename === "RunConfigSchema") setText(scaffoldYaml(types, schemaResult.rootConfigType.key));
  }, [schemaResult, types, text]);

  // Validate 300 ms after the last key stroke; an older answer never replaces a newer one.
  const generation = useRef(0);
  useEffect(() => {
    if (text === null) return;
    const mine = ++generation.current;
    setValidation({ state: "checking" });
    const timer = window.setTimeout(async () => {
      const parsed = parseRunConfig(text);
      if (!parsed.ok) {
        setValidation({ state: "invalid", problems: [{ line: parsed.line, path: "", message: `YAML syntax: ${parsed.message}` }] });
        return;
      }
      try {
        const answer = (await request(ValidateRunConfigDocument, { selector, runConfigData: parsed.value })).isPipelineConfigValid;
        if (mine !== generation.current) return;
        if (answer.__typename === "PipelineConfigValidationValid") setValidation({ state: "valid" });
        else if (answer.__typename === "RunConfigValidationInvalid") {
          setValidation({ state: "invalid", problems: answer.errors.map((error) => ({
            line: lineOfPath(text, error.path), path: error.path.join("."), message: error.message })) });
        } else setValidation({ state: "failed", message: answer.message });
      } catch (caught) {
        if (mine === generation.current) setValidation({ state: "failed", message: (caught as Error).message });
      }
    }, 300);
    return () => window.clearTimeout(timer);
  }, [text, selector]);

  const goToLine = (line: number) => editor.current?.goToLine(line);
  const problems = useMemo(() => (validation.state === "invalid" ? validation.problems : []), [validation]);

  const launch = async () => {
    if (text === null) return;
    const parsed = parseRunConfig(text);
    if (!parsed.ok) return;
    setLaunching(true);
    setLaunchError(null);
    try {
      const answer = (await request(LaunchRunDocument, { executionParams: {
        selector: { repositoryLocationName: location, repositoryName: repository, jobName: job, solidSelection },
        runConfigData: parsed.value,
        mode: "default",
        executionMetadata: { tags: tags.filter((tag) => tag.key.trim()).map((tag) => ({ key: tag.key.trim(), value: tag.value })) },
      } })).launchRun;
      if (answer.__typename === "LaunchRunSuccess") {
        navigate(pathOf("runs", answer.run.runId));
        return;
      }
      if (answer.__typename === "RunConfigValidationInvalid") setLaunchError(`The run config is invalid: ${answer.errors.map((error) => `${error.path.join(".")}: ${error.message}`).join("; ")}`);
      else if (answer.__typename === "InvalidStepError") setLaunchError(`No step ${answer.invalidStepKey}.`);
      else if (answer.__typename === "InvalidOutputError") setLaunchError(`Step ${answer.stepKey} has no output ${answer.invalidOutputName}.`);
      else setLaunchError(answer.message);
    } catch (caught) {
      setLaunchError((caught as Error).message);
    }
    setLaunching(false);
  };

  if (schema.error) return <ErrorView title={`Could not load the config schema of ${job}`} error={schema.error} />;
  if (schemaResult && schemaResult.__typename !== "RunConfigSchema") return <ErrorView title={`Could not load the config schema of ${job}`} error={schemaResult} />;
  if (text === null || !schemaResult) return <p aria-busy="true">Loading the launchpad…</p>;

  const invalid = validation.state === "invalid" || validation.state === "failed";
  return (
    <section aria-labelledby="launchpad-title">
      <h1 id="launchpad-title">Launchpad: <Link to={pathOf("jobs", location, repository, job)}>{job}</Link></h1>
      <div className="launchpad">
        <div>
          <div className="editor">
            <span className="editor-label" aria-hidden="true">Run config (YAML)</span>
            <YamlEditor ref={editor} initial={text} types={types} rootKey={schemaResult.rootConfigType.key} problems={problems}
              invalid={invalid} onChange={(next, at) => { setText(next); setCursor(at); }} />
          </div>
          {here ? (
            <div className="completions" role="group" aria-label="Fields you can add here">
              <span className="muted">Add at {here.path.join(".") || "the top level"}:</span>
              {here.completions.length ? here.completions.map((completion) => (
                <button key={completion.name} type="button" className="completion" title={completion.description ?? completion.type}
                  onClick={() => complete(completion.name)}>
                  {completion.name}{completion.required ? <span className="required"> required</span> : null}
                </button>
              )) : <span className="muted"> nothing more</span>}
            </div>
          ) : null}
          <div id="config-status" aria-live="polite">
            {validation.state === "checking" ? <p className="muted">Checking the config…</p> : null}
            {validation.state === "valid" ? <p className="validation-ok">The config is valid.</p> : null}
            {validation.state === "failed" ? <p role="alert" className="notice notice-error">Could not validate: {validation.message}</p> : null}
            {validation.state === "invalid" ? (
              <ul className="config-errors" aria-label="Config errors">
                {validation.problems.map((problem, index) => (
                  <li key={index} className="config-error">
                    <button type="button" className="link" onClick={() => goToLine(problem.line)}>Line {problem.line}</button>
                    {problem.path ? <span className="mono">{problem.path}</span> : null}: {problem.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
          <fieldset className="tag-editor">
            <legend>Tags</legend>
            {tags.map((tag, index) => (
              <div key={index} className="tag-row">
                <input aria-label={`Tag ${index + 1} key`} value={tag.key} placeholder="key"
                  onChange={(event) => setTags(tags.map((item, i) => (i === index ? { ...item, key: event.target.value } : item)))} />
                <input aria-label={`Tag ${index + 1} value`} value={tag.value} placeholder="value"
                  onChange={(event) => setTags(tags.map((item, i) => (i === index ? { ...item, value: event.target.value } : item)))} />
                <button type="button" aria-label={`Remove tag ${index + 1}`} onClick={() => setTags(tags.filter((_, i) => i !== index))}>Remove</button>
              </div>
            ))}
            <div><button type="button" onClick={() => setTags([...tags, { key: "", value: "" }])}>Add tag</button></div>
          </fieldset>
          <p>
            <label>Op selection <input value={opSelection} onChange={(event) => setOpSelection(event.target.value)} placeholder="all ops (or: op_a, op_b)" size={40} /></label>
          </p>
          {launchError ? <div role="alert" className="notice notice-error">Could not launch: {launchError}</div> : null}
          <GuardedButton permission="launch_pipeline_execution" className="primary" onClick={() => void launch()} disabled={launching || validation.state !== "valid"}>
            {launching ? "Launching…" : "Launch run"}
          </GuardedButton>
        </div>
        <aside aria-labelledby="schema-title">
          <h2 id="schema-title">Config schema</h2>
          <ConfigTree types={types} rootKey={schemaResult.rootConfigType.key} />
        </aside>
      </div>
    </section>
  );
}

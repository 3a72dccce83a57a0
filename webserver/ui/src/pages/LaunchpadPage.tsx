export function LaunchpadPage({ location, repository, job }: { location: string; repository: string; job: string }) {
  return <h1>Launchpad: {job} ({repository}@{location})</h1>;
}

export function JobPage({ location, repository, job }: { location: string; repository: string; job: string }) {
  return <h1>{job} ({repository}@{location})</h1>;
}

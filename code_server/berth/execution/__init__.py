"""Run execution: the plan and engine that run a job's ops, and the run worker processes."""

CREATE TABLE pipeline_runs (
  id text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
  trigger text NOT NULL CHECK (trigger IN ('SCHEDULE', 'MANUAL')),
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  error text
);
CREATE INDEX pipeline_runs_trigger_created_at ON pipeline_runs (trigger, created_at DESC);

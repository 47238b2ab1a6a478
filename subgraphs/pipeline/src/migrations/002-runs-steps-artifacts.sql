-- Runs become watchable and exclusive: a heartbeat, their outcome, their steps, the step-output
-- cache and the evaluation plots. No foreign key to model_versions: the registry is another
-- service's table and may be migrated after this one.
ALTER TABLE pipeline_runs
  ADD COLUMN scheduled_for timestamptz,
  ADD COLUMN heartbeat_at timestamptz,
  ADD COLUMN produced_model_id text,
  ADD COLUMN promoted boolean NOT NULL DEFAULT false,
  ADD COLUMN comparison jsonb,
  ADD CONSTRAINT pipeline_runs_scheduled_for_is_schedule CHECK (scheduled_for IS NULL OR trigger = 'SCHEDULE');

-- Runs left active before exclusivity was enforced would block the index below: keep the newest.
UPDATE pipeline_runs
SET status = 'FAILED', finished_at = now(), error = 'superseded: only one run may be active (migration 002)'
WHERE status IN ('QUEUED', 'RUNNING')
  AND id <> (SELECT id FROM pipeline_runs WHERE status IN ('QUEUED', 'RUNNING') ORDER BY created_at DESC, id DESC LIMIT 1);

-- At most one active run, across every replica: a second insert fails with a unique violation.
CREATE UNIQUE INDEX pipeline_runs_one_active ON pipeline_runs ((true)) WHERE status IN ('QUEUED', 'RUNNING');
-- Every replica tries to insert the run of a cron occurrence; exactly one succeeds.
CREATE UNIQUE INDEX pipeline_runs_schedule_occurrence ON pipeline_runs (scheduled_for) WHERE trigger = 'SCHEDULE';
CREATE INDEX pipeline_runs_created_at_id ON pipeline_runs (created_at DESC, id DESC);
CREATE INDEX pipeline_runs_status_created_at_id ON pipeline_runs (status, created_at DESC, id DESC);

CREATE TABLE pipeline_steps (
  run_id text NOT NULL REFERENCES pipeline_runs (id) ON DELETE CASCADE,
  position integer NOT NULL,
  name text NOT NULL CHECK (name IN ('ingest', 'validate', 'features', 'train', 'evaluate', 'register', 'promote')),
  status text NOT NULL CHECK (status IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'CACHED')),
  started_at timestamptz,
  finished_at timestamptz,
  message text,
  cache_key text,
  output_hash text,
  PRIMARY KEY (run_id, position),
  UNIQUE (run_id, name),
  -- Steps run in one order only: position is the name's place in it.
  CHECK (
    position = array_position(ARRAY['ingest', 'validate', 'features', 'train', 'evaluate', 'register', 'promote'], name) - 1
  )
);
-- The cache lookup: an earlier step of the same name and cache key.
CREATE INDEX pipeline_steps_name_cache_key ON pipeline_steps (name, cache_key) WHERE cache_key IS NOT NULL;

-- Step outputs by cache key, kept beyond the run that produced them (the cache outlives runs).
CREATE TABLE pipeline_step_outputs (
  cache_key text PRIMARY KEY,
  step text NOT NULL CHECK (step IN ('ingest', 'validate', 'features', 'train', 'evaluate', 'register', 'promote')),
  output_hash text NOT NULL,
  body bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Files a run produced (the evaluation plots), served at GET /runs/:runId/artifacts/:name.
CREATE TABLE pipeline_artifacts (
  run_id text NOT NULL REFERENCES pipeline_runs (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]*$'),
  content_type text NOT NULL,
  body text NOT NULL,
  PRIMARY KEY (run_id, name)
);

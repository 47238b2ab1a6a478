-- A `collect` step now runs first (prices from the providers into the price store), before ingest.
ALTER TABLE pipeline_steps DROP CONSTRAINT pipeline_steps_name_check;
ALTER TABLE pipeline_steps DROP CONSTRAINT pipeline_steps_check;
ALTER TABLE pipeline_step_outputs DROP CONSTRAINT pipeline_step_outputs_step_check;

-- Earlier runs' steps move one place down (in two passes: the primary key is checked row by row),
-- and each gets a collect step it never ran, SKIPPED, so every run lists the same eight steps.
UPDATE pipeline_steps SET position = -position - 1;
UPDATE pipeline_steps SET position = -position;
INSERT INTO pipeline_steps (run_id, position, name, status, message)
SELECT id, 0, 'collect', 'SKIPPED', 'this run predates the collect step' FROM pipeline_runs;

ALTER TABLE pipeline_steps ADD CONSTRAINT pipeline_steps_name_check
  CHECK (name IN ('collect', 'ingest', 'validate', 'features', 'train', 'evaluate', 'register', 'promote'));
-- Steps run in one order only: position is the name's place in it.
ALTER TABLE pipeline_steps ADD CONSTRAINT pipeline_steps_check CHECK (
  position = array_position(
    ARRAY['collect', 'ingest', 'validate', 'features', 'train', 'evaluate', 'register', 'promote'], name
  ) - 1
);
ALTER TABLE pipeline_step_outputs ADD CONSTRAINT pipeline_step_outputs_step_check
  CHECK (step IN ('collect', 'ingest', 'validate', 'features', 'train', 'evaluate', 'register', 'promote'));

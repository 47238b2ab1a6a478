CREATE TABLE model_versions (
  id text PRIMARY KEY,
  version integer NOT NULL UNIQUE,
  stage text NOT NULL CHECK (stage IN ('PRODUCTION', 'STAGING', 'ARCHIVED')),
  created_at timestamptz NOT NULL DEFAULT now(),
  artifact_sha256 text NOT NULL CHECK (artifact_sha256 ~ '^[0-9a-f]{64}$')
);
-- At most one production model at any time.
CREATE UNIQUE INDEX model_versions_one_production ON model_versions (stage) WHERE stage = 'PRODUCTION';

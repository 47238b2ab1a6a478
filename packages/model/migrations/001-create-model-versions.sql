-- Until this migration the pipeline subgraph created a placeholder model_versions table (its
-- migration 2) that nothing could fill: no artifact, features or metrics. Where it exists, drop it
-- and forget that migration, so the pipeline may use version 2 again without a name clash.
DO $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM schema_migrations
    WHERE service = 'pipeline' AND version = 2 AND name = 'create-model-versions'
  ) THEN
    DROP TABLE IF EXISTS model_versions;
    DELETE FROM schema_migrations WHERE service = 'pipeline' AND version = 2;
  END IF;
END
$$;

CREATE TABLE model_versions (
  id text PRIMARY KEY CHECK (id ~ '^mv_[0-9a-z]+$'),
  version integer NOT NULL UNIQUE CHECK (version > 0),
  stage text NOT NULL CHECK (stage IN ('PRODUCTION', 'STAGING', 'ARCHIVED')),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The last time it became production; kept afterwards, so former production versions are known.
  promoted_at timestamptz,
  archived_at timestamptz,
  artifact_sha256 text NOT NULL CHECK (artifact_sha256 ~ '^[0-9a-f]{64}$'),
  artifact_bytes bigint NOT NULL CHECK (artifact_bytes > 0),
  features text[] NOT NULL CHECK (cardinality(features) > 0),
  training_summary jsonb NOT NULL,
  metrics jsonb NOT NULL,
  prediction_interval jsonb NOT NULL,
  CHECK ((stage = 'ARCHIVED') = (archived_at IS NOT NULL)),
  CHECK (stage <> 'PRODUCTION' OR promoted_at IS NOT NULL)
);
-- At most one production model at any time.
CREATE UNIQUE INDEX model_versions_one_production ON model_versions (stage) WHERE stage = 'PRODUCTION';
CREATE INDEX model_versions_stage_version ON model_versions (stage, version DESC);

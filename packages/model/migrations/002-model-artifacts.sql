-- Model artifacts live with the registry, so every replica in every container loads the same
-- bytes: one row per distinct ONNX file, named by the SHA-256 of its bytes (a version's
-- artifact_sha256). Versions that share bytes share the row. Files written under DATA_DIR/models
-- before this migration are imported by `importFileArtifacts` right after it (SQL cannot read them).
CREATE TABLE model_artifacts (
  sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  bytes bytea NOT NULL CHECK (octet_length(bytes) > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

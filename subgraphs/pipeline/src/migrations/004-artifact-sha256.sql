-- A run's plots are stored like the model artifacts: with the SHA-256 of their bytes (the body as
-- UTF-8), checked whenever they are served. They reach browsers through the gateway
-- (`RunArtifact.content`, `RunArtifact.dataUrl`), never from this service's own port.
ALTER TABLE pipeline_artifacts ADD COLUMN sha256 text;
UPDATE pipeline_artifacts SET sha256 = encode(sha256(convert_to(body, 'UTF8')), 'hex');
ALTER TABLE pipeline_artifacts
  ALTER COLUMN sha256 SET NOT NULL,
  ADD CONSTRAINT pipeline_artifacts_sha256 CHECK (sha256 ~ '^[0-9a-f]{64}$');

-- Rotation with a grace period: the secret a rotation replaced keeps verifying, by its hash, until
-- previous_secret_valid_until; then it is refused. Both are set together or not at all.
ALTER TABLE api_keys
  ADD COLUMN previous_secret_hash bytea UNIQUE,
  ADD COLUMN previous_secret_valid_until timestamptz;
ALTER TABLE api_keys
  ADD CONSTRAINT api_keys_previous_secret_complete
  CHECK ((previous_secret_hash IS NULL) = (previous_secret_valid_until IS NULL));

-- `apiKeys` pages newest first by (created_at, id).
CREATE INDEX api_keys_created_at_id ON api_keys (created_at DESC, id DESC);

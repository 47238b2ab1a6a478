-- Large step outputs are stored in parts, written and read one statement at a time: on PGlite every
-- statement runs on the event loop that serves API calls, and one 7 MB body held it ~0.8 s.
-- `parts` = 0: the whole body is in `body`; else `body` is empty and the parts hold it, in order.
ALTER TABLE pipeline_step_outputs ADD COLUMN parts integer NOT NULL DEFAULT 0 CHECK (parts >= 0);

-- Written before their pipeline_step_outputs row (which makes them visible), hence no foreign key.
CREATE TABLE pipeline_step_output_parts (
  cache_key text NOT NULL,
  part integer NOT NULL CHECK (part >= 0),
  body bytea NOT NULL,
  PRIMARY KEY (cache_key, part)
);

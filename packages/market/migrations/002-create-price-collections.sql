-- What a collection asked a provider for, on which UTC day, and how it went: the pipeline's collect
-- step reads it to fetch each set (or card) once a day, and to retry only what failed.
CREATE TABLE price_collections (
  -- `pokemontcg.io`, `pokemonpricetracker`, …
  provider text NOT NULL CHECK (provider <> ''),
  -- A set id (`sv3pt5`) for a set's prices, a card id (`sv3pt5-6`) for a card's history.
  scope text NOT NULL CHECK (scope <> ''),
  -- The UTC day of the collection (not the prices' date: pokemontcg.io dates them by its own update).
  day date NOT NULL,
  status text NOT NULL CHECK (status IN ('collected', 'failed')),
  points integer NOT NULL DEFAULT 0 CHECK (points >= 0),
  skipped integer NOT NULL DEFAULT 0 CHECK (skipped >= 0),
  -- Why it failed (code, HTTP status, retry-after), for the step message and the operator.
  error text,
  attempts integer NOT NULL DEFAULT 1 CHECK (attempts >= 1),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, scope, day)
);

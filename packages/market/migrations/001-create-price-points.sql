-- One market price per card, day and source. Several sources may price the same day; readers pick
-- the most recently imported one, so a re-import of a corrected file wins over the old values.
CREATE TABLE price_points (
  card_id text NOT NULL CHECK (card_id <> ''),
  date date NOT NULL,
  source text NOT NULL CHECK (source <> ''),
  market numeric NOT NULL CHECK (market > 0),
  low numeric CHECK (low > 0),
  high numeric CHECK (high > 0),
  volume integer CHECK (volume >= 0),
  -- When the values last changed: an import that repeats them leaves the row (and this) alone.
  imported_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (card_id, date, source),
  CHECK (low IS NULL OR high IS NULL OR low <= high)
);

-- The primary key serves per-card reads (history, date ranges); this one serves one day across
-- all cards (the deals of a day, the latest day with data).
CREATE INDEX price_points_date ON price_points (date);

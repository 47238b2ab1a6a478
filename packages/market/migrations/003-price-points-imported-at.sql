-- When prices last changed, as one index lookup: pricing's deals ranking asks every few seconds
-- whether a collect or an import changed any price (max(imported_at)), and rebuilds when one did.
CREATE INDEX price_points_imported_at ON price_points (imported_at);

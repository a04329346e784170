-- The postgres image runs this once, on an empty data volume, against POSTGRES_DB (app).
-- Hasura keeps its own catalog apart from the app data; compose's temporal-schema job creates Temporal's two.
CREATE DATABASE hasura_metadata;

-- The postgres image runs this once, on an empty data volume, against POSTGRES_DB (app).
-- Hasura keeps its own catalog apart from the app data; Temporal's auto-setup creates its two DBs itself.
CREATE DATABASE hasura_metadata;

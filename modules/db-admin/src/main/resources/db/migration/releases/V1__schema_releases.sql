-- Which releases migrated this schema (decision 112): a row per release, written by the node that
-- applied that release's first migrations. A node that finds a schema newer than it knows names the
-- release that made it so.
CREATE TABLE schema_releases (
  version     text PRIMARY KEY,
  commit_id   text NOT NULL,
  migrated_at timestamptz NOT NULL DEFAULT now()
);

-- The tile database: what the Hub stores about datasets, jobs, images and reconstructions.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE datasets (
  dataset_id text PRIMARY KEY,
  label text,
  prefix text NOT NULL,
  files integer NOT NULL CHECK (files >= 0),
  bytes bigint NOT NULL CHECK (bytes >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE jobs (
  job_id text PRIMARY KEY,
  dataset_id text REFERENCES datasets ON DELETE SET NULL,
  preset text NOT NULL,
  priority text NOT NULL CHECK (priority IN ('high', 'normal', 'low')),
  label text,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  stage text,
  execution_arn text,
  error_name text,
  error_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_status_created_idx ON jobs (status, created_at DESC);

CREATE TABLE job_events (
  id bigserial PRIMARY KEY,
  job_id text NOT NULL REFERENCES jobs ON DELETE CASCADE,
  type text NOT NULL,
  stage text NOT NULL DEFAULT '',
  at timestamptz NOT NULL,
  payload jsonb NOT NULL,
  -- Events are redelivered (MQTT QoS 1, retries): the same event is stored once.
  UNIQUE (job_id, type, stage, at)
);

CREATE TABLE images (
  job_id text NOT NULL REFERENCES jobs ON DELETE CASCADE,
  name text NOT NULL,
  sha256 char(64) NOT NULL,
  accepted boolean NOT NULL,
  reasons jsonb NOT NULL DEFAULT '[]',
  captured_at text,
  position geometry(Point, 4326),
  footprint geometry(Polygon, 4326),
  gsd_cm double precision,
  PRIMARY KEY (job_id, name)
);
CREATE INDEX images_footprint_gix ON images USING gist (footprint);

CREATE TABLE reconstructions (
  job_id text PRIMARY KEY REFERENCES jobs ON DELETE CASCADE,
  footprint geometry(MultiPolygon, 4326),
  bbox geometry(Polygon, 4326) NOT NULL,
  gsd_cm double precision,
  products jsonb NOT NULL DEFAULT '{}',
  stac_item jsonb,
  published_at timestamptz
);
CREATE INDEX reconstructions_bbox_gix ON reconstructions USING gist (bbox);

CREATE TABLE tiles (
  job_id text NOT NULL REFERENCES reconstructions ON DELETE CASCADE,
  z integer NOT NULL CHECK (z BETWEEN 0 AND 30),
  x integer NOT NULL CHECK (x >= 0),
  y integer NOT NULL CHECK (y >= 0),
  key text NOT NULL,
  etag text NOT NULL,
  bytes integer NOT NULL,
  PRIMARY KEY (job_id, z, x, y)
);

CREATE TABLE api_keys (
  key_id text PRIMARY KEY,
  -- scrypt hash of the secret part; the secret itself is shown once and never stored.
  hash text NOT NULL,
  label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

-- A key's kind says what it may do: `read` (GETs only), `write` (also start, cancel and retry jobs,
-- upload), `admin` (also create, list and revoke keys). Keys made before kinds existed could do
-- everything there was, and one of them (the local operator's) must be able to make the others:
-- they become admin. New keys always name their kind.
ALTER TABLE api_keys ADD COLUMN kind text NOT NULL DEFAULT 'admin' CHECK (kind IN ('read', 'write', 'admin'));
ALTER TABLE api_keys ALTER COLUMN kind DROP DEFAULT;
-- Written at most once per verification cache period, not on every request.
ALTER TABLE api_keys ADD COLUMN last_used_at timestamptz;

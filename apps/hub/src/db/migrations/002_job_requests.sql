-- Jobs keep the request that started them, so that they can be retried as they were.
ALTER TABLE jobs ADD COLUMN request jsonb;

-- A retried job is a new job that names the job it retries (resuming keeps the job and adds attempts).
ALTER TABLE jobs ADD COLUMN retry_of text REFERENCES jobs ON DELETE SET NULL;

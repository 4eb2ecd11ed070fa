-- Waiting jobs per team are capped: 0 takes the registry's default (calibra.jobs.default-team-max-pending).
ALTER TABLE team ADD COLUMN max_pending_jobs integer NOT NULL DEFAULT 0 CHECK (max_pending_jobs >= 0);

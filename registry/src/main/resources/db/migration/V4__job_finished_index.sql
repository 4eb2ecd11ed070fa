-- The job-duration metrics poll reads jobs finished since its last poll; without this it scans every job.
CREATE INDEX job_finished ON job (finished_at) WHERE finished_at IS NOT NULL;

-- A study's report joins its EVALUATE jobs to their scores by producing job; without an index that join
-- read the whole score table, every study's.
CREATE INDEX score_producing_job ON score (producing_job_id) WHERE producing_job_id IS NOT NULL;

-- The cells of a study's grid and the jobs serving them. One job can serve several cells (a shared
-- calibration set) and several studies (identical work is done once), so the link lives here and not
-- in job.study_id, which names only the study that first asked for the job.
CREATE TABLE study_job (
    study_id   TEXT NOT NULL REFERENCES study (id),
    position   INT NOT NULL,                 -- order of the cell in the grid
    job_id     TEXT NOT NULL REFERENCES job (id),
    type       TEXT NOT NULL,
    model      TEXT NOT NULL,                -- base model name
    method     TEXT NOT NULL DEFAULT '',     -- method label; 'dense' for the uncompressed model
    source     TEXT NOT NULL DEFAULT '',     -- calibration source label; '' for baselines
    set_index  INT NOT NULL DEFAULT -1,      -- calibration set index within the source; -1 for baselines
    reused     BOOLEAN NOT NULL DEFAULT FALSE, -- the job existed before this study asked for it
    PRIMARY KEY (study_id, position)
);
CREATE INDEX study_job_job ON study_job (job_id);

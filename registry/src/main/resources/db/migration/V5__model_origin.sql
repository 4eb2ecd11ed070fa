-- Where a base model was pulled from: a hub repository and the commit its registered files are.
ALTER TABLE model
    ADD COLUMN origin_endpoint TEXT,
    ADD COLUMN origin_repo     TEXT,
    ADD COLUMN origin_revision TEXT,
    ADD COLUMN origin_commit   TEXT,
    ADD CONSTRAINT model_origin_complete CHECK (
        (origin_repo IS NULL AND origin_endpoint IS NULL AND origin_revision IS NULL AND origin_commit IS NULL)
        OR (origin_repo IS NOT NULL AND origin_endpoint IS NOT NULL AND origin_revision IS NOT NULL
            AND origin_commit ~ '^[0-9a-f]{40}$'));

-- The origin is part of the immutable record, like the rest of the lineage.
CREATE OR REPLACE FUNCTION refuse_model_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.id, NEW.team_id, NEW.name, NEW.architecture, NEW.parameter_count, NEW.dtype, NEW.artifact_uri,
        NEW.sha256, NEW.parent_model_id, NEW.producing_job_id, NEW.compression_method, NEW.compression_params,
        NEW.calibration_set_id, NEW.created_at, NEW.origin_endpoint, NEW.origin_repo, NEW.origin_revision, NEW.origin_commit)
       IS DISTINCT FROM
       (OLD.id, OLD.team_id, OLD.name, OLD.architecture, OLD.parameter_count, OLD.dtype, OLD.artifact_uri,
        OLD.sha256, OLD.parent_model_id, OLD.producing_job_id, OLD.compression_method, OLD.compression_params,
        OLD.calibration_set_id, OLD.created_at, OLD.origin_endpoint, OLD.origin_repo, OLD.origin_revision, OLD.origin_commit) THEN
        RAISE EXCEPTION 'model rows are immutable except description and tags' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;

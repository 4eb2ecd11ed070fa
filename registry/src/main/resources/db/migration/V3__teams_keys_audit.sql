-- Issue 8: API keys, read grants between teams, running-job quotas, the audit log, the trace context
-- of jobs, and the deletes that registered versions refuse.

-- Most jobs of a team RUNNING at once; 0 = no limit. The claim skips teams at their limit.
ALTER TABLE team ADD COLUMN max_running_jobs INT NOT NULL DEFAULT 0 CHECK (max_running_jobs >= 0);

-- Keys are stored as the sha256 of their secret; the secret itself is shown once and never stored.
CREATE TABLE api_key (
    id          TEXT PRIMARY KEY,
    team_id     TEXT NOT NULL REFERENCES team (id),
    role        TEXT NOT NULL CHECK (role IN ('member', 'admin', 'service')),
    name        TEXT NOT NULL DEFAULT '',
    prefix      TEXT NOT NULL,                     -- first characters of the secret, to tell keys apart
    key_sha256  TEXT NOT NULL UNIQUE,              -- the lookup of every call
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ,                       -- NULL: never expires
    revoked_at  TIMESTAMPTZ                        -- set once, never cleared
);
CREATE INDEX api_key_team ON api_key (team_id, id);

-- owner_team_id lets reader_team_id read its records (never change them).
CREATE TABLE read_grant (
    owner_team_id   TEXT NOT NULL REFERENCES team (id),
    reader_team_id  TEXT NOT NULL REFERENCES team (id),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (owner_team_id, reader_team_id),
    CHECK (owner_team_id <> reader_team_id)
);
CREATE INDEX read_grant_reader ON read_grant (reader_team_id);

-- One row per mutating call, whatever its outcome. Append-only: triggers below refuse the rest.
CREATE TABLE audit_log (
    id       BIGSERIAL PRIMARY KEY,
    at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    team_id  TEXT REFERENCES team (id),            -- NULL when the key was not recognised
    key_id   TEXT NOT NULL DEFAULT '',
    role     TEXT NOT NULL DEFAULT '',
    method   TEXT NOT NULL,                        -- full gRPC method, "calibra.v1.Registry/RegisterModel"
    target   TEXT NOT NULL DEFAULT '',             -- id of the record created or changed, when known
    outcome  TEXT NOT NULL,                        -- gRPC status code name
    detail   TEXT NOT NULL DEFAULT ''              -- status description of failures
);
CREATE INDEX audit_log_team ON audit_log (team_id, id);
CREATE INDEX audit_log_at ON audit_log (at);

-- W3C traceparent of the submitting call; workers continue that trace.
ALTER TABLE job ADD COLUMN trace_parent TEXT NOT NULL DEFAULT '';

-- The fair claim looks, per team, at its oldest runnable job and its RUNNING count.
CREATE INDEX job_pending_team ON job (team_id, created_at, id) WHERE state = 'PENDING';
CREATE INDEX job_running_team ON job (team_id) WHERE state = 'RUNNING';

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows cannot be changed or removed (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END $$;

-- Statement triggers: the statement is refused even when it matches no row.
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Registered corpora, calibration sets and scores are never deleted; keys stay for the audit trail.
CREATE TRIGGER corpus_no_delete BEFORE DELETE OR TRUNCATE ON corpus FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER calibration_set_no_delete BEFORE DELETE OR TRUNCATE ON calibration_set
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER score_no_delete BEFORE DELETE OR TRUNCATE ON score FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER api_key_no_delete BEFORE DELETE OR TRUNCATE ON api_key FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- A team's id and name never change (records and keys name it); its quota does.
CREATE FUNCTION refuse_team_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.id, NEW.name, NEW.created_at) IS DISTINCT FROM (OLD.id, OLD.name, OLD.created_at) THEN
        RAISE EXCEPTION 'team rows are immutable except max_running_jobs' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER team_immutable BEFORE UPDATE ON team FOR EACH ROW EXECUTE FUNCTION refuse_team_rename();
CREATE TRIGGER team_no_delete BEFORE DELETE OR TRUNCATE ON team FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- The only change a key accepts is its revocation, once.
CREATE FUNCTION refuse_api_key_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.id, NEW.team_id, NEW.role, NEW.name, NEW.prefix, NEW.key_sha256, NEW.created_at, NEW.expires_at)
       IS DISTINCT FROM (OLD.id, OLD.team_id, OLD.role, OLD.name, OLD.prefix, OLD.key_sha256, OLD.created_at, OLD.expires_at)
       OR (OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at) THEN
        RAISE EXCEPTION 'api_key rows change only by revocation, once' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER api_key_immutable BEFORE UPDATE ON api_key FOR EACH ROW EXECUTE FUNCTION refuse_api_key_update();

-- What still refers to a model: models derived from it, its scores, calibration sets drawn with its
-- tokenizer, and jobs whose spec names it (by id, or by name within its team). The job that produced
-- a model does not count: it refers to the model only as its result.
CREATE FUNCTION model_references(target_id TEXT, target_name TEXT, target_team TEXT,
        OUT derived_models BIGINT, OUT scores BIGINT, OUT calibration_sets BIGINT, OUT jobs BIGINT)
LANGUAGE sql STABLE AS $$
    SELECT
        (SELECT count(*) FROM model m WHERE m.parent_model_id = target_id),
        (SELECT count(*) FROM score s WHERE s.model_id = target_id),
        (SELECT count(*) FROM calibration_set c
          WHERE c.spec::jsonb ->> 'modelId' = target_id
             OR (c.team_id = target_team AND c.spec::jsonb ->> 'modelId' = target_name)),
        (SELECT count(DISTINCT j.id) FROM job j, LATERAL (VALUES (j.spec::jsonb -> 'evaluate' ->> 'modelId'),
                                                     (j.spec::jsonb -> 'compress' ->> 'modelId'),
                                                     (j.spec::jsonb -> 'calibrate' -> 'spec' ->> 'modelId')) AS ref (model)
          WHERE ref.model = target_id OR (j.team_id = target_team AND ref.model = target_name))
$$;

-- DeleteModel checks the same and says so politely; this holds whoever deletes.
CREATE FUNCTION refuse_referenced_model_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    refs RECORD;
BEGIN
    SELECT * INTO refs FROM model_references(OLD.id, OLD.name, OLD.team_id);
    IF refs.derived_models + refs.scores + refs.calibration_sets + refs.jobs > 0 THEN
        RAISE EXCEPTION 'model % is still referenced (% derived models, % scores, % calibration sets, % jobs)',
            OLD.id, refs.derived_models, refs.scores, refs.calibration_sets, refs.jobs
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER model_delete_guard BEFORE DELETE ON model FOR EACH ROW EXECUTE FUNCTION refuse_referenced_model_delete();

-- Calibra registry schema. Changes only through new migrations, never by editing this file.

CREATE TABLE team (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The default team owns records until API keys arrive (issue 8).
INSERT INTO team (id, name) VALUES ('team-default', 'default');

CREATE TABLE model (
    id                  TEXT PRIMARY KEY,
    team_id             TEXT NOT NULL REFERENCES team (id),
    name                TEXT NOT NULL,
    architecture        TEXT NOT NULL,
    parameter_count     BIGINT NOT NULL CHECK (parameter_count > 0),
    dtype               TEXT NOT NULL,
    artifact_uri        TEXT NOT NULL,
    sha256              TEXT NOT NULL,
    parent_model_id     TEXT REFERENCES model (id),
    producing_job_id    TEXT,
    compression_method  TEXT,
    compression_params  TEXT,            -- JSON object of strings
    calibration_set_id  TEXT,
    description         TEXT NOT NULL DEFAULT '',
    tags                TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (team_id, name)
);
CREATE INDEX model_parent ON model (parent_model_id);
CREATE INDEX model_sha256 ON model (team_id, sha256);

CREATE TABLE corpus (
    id              TEXT PRIMARY KEY,
    team_id         TEXT NOT NULL REFERENCES team (id),
    name            TEXT NOT NULL,
    domain          TEXT NOT NULL DEFAULT '',
    source_uri      TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    document_count  BIGINT NOT NULL CHECK (document_count > 0),
    split           TEXT NOT NULL DEFAULT '',
    document_rule   TEXT NOT NULL,
    licence         TEXT NOT NULL DEFAULT '',
    size_bytes      BIGINT NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (team_id, name),
    UNIQUE (team_id, sha256, document_rule)
);

CREATE TABLE calibration_set (
    id                TEXT PRIMARY KEY,
    team_id           TEXT NOT NULL REFERENCES team (id),
    fingerprint       TEXT NOT NULL,
    spec              TEXT NOT NULL,     -- JSON of calibra.v1.CalibrationSpec
    spec_key          TEXT NOT NULL,     -- canonical form of spec, for idempotent registration
    sampler_version   TEXT NOT NULL,
    tokenizer_sha256  TEXT NOT NULL,
    artifact_uri      TEXT NOT NULL,
    artifact_sha256   TEXT NOT NULL,
    statistics        TEXT NOT NULL DEFAULT '{}',  -- JSON of calibra.v1.CalibrationStatistics
    producing_job_id  TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (team_id, fingerprint, spec_key)
);
CREATE INDEX calibration_set_fingerprint ON calibration_set (fingerprint);

CREATE TABLE calibration_set_corpus (
    calibration_set_id  TEXT NOT NULL REFERENCES calibration_set (id),
    corpus_id           TEXT NOT NULL REFERENCES corpus (id),
    PRIMARY KEY (calibration_set_id, corpus_id)
);

CREATE TABLE study (
    id           TEXT PRIMARY KEY,
    team_id      TEXT NOT NULL REFERENCES team (id),
    name         TEXT NOT NULL,
    spec         TEXT NOT NULL,          -- JSON of calibra.v1.StudySpec
    spec_yaml    TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    request_id   TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at  TIMESTAMPTZ,
    UNIQUE (team_id, request_id)
);

CREATE TABLE job (
    id                 TEXT PRIMARY KEY,
    team_id            TEXT NOT NULL REFERENCES team (id),
    type               TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    spec               TEXT NOT NULL,    -- JSON of calibra.v1.JobSpec
    request_id         TEXT,
    attempts           INT NOT NULL DEFAULT 0,
    max_attempts       INT NOT NULL CHECK (max_attempts > 0),
    lease_owner        TEXT,
    lease_expires_at   TIMESTAMPTZ,
    max_run_seconds    BIGINT NOT NULL DEFAULT 0,
    progress           TEXT NOT NULL DEFAULT '{}',  -- JSON of calibra.v1.Progress
    result_ids         TEXT NOT NULL DEFAULT '[]',  -- JSON array of ids
    error              TEXT NOT NULL DEFAULT '',
    study_id           TEXT REFERENCES study (id),
    checkpoint_uri     TEXT NOT NULL DEFAULT '',
    cancel_requested   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at         TIMESTAMPTZ,
    finished_at        TIMESTAMPTZ,
    version            BIGINT NOT NULL DEFAULT 0,
    UNIQUE (team_id, request_id)
);
-- The claim query scans pending jobs oldest first.
CREATE INDEX job_pending ON job (created_at, id) WHERE state = 'PENDING';
CREATE INDEX job_running_lease ON job (lease_expires_at) WHERE state = 'RUNNING';
CREATE INDEX job_study ON job (study_id);

CREATE TABLE job_dependency (
    job_id      TEXT NOT NULL REFERENCES job (id),
    depends_on  TEXT NOT NULL REFERENCES job (id),
    PRIMARY KEY (job_id, depends_on)
);

CREATE TABLE score (
    id                TEXT PRIMARY KEY,
    team_id           TEXT NOT NULL REFERENCES team (id),
    model_id          TEXT NOT NULL REFERENCES model (id),
    task              TEXT NOT NULL,
    metric            TEXT NOT NULL,
    value             DOUBLE PRECISION NOT NULL,
    stderr            DOUBLE PRECISION NOT NULL DEFAULT 0,
    n                 BIGINT NOT NULL DEFAULT 0,
    settings          TEXT NOT NULL DEFAULT '{}',   -- JSON object of strings
    environment       TEXT NOT NULL DEFAULT '{}',   -- JSON object of strings
    producing_job_id  TEXT,
    evaluated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX score_model ON score (model_id, task, metric);

-- Registered versions are immutable: the database itself refuses changes, whoever asks.
CREATE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE FUNCTION refuse_model_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.id, NEW.team_id, NEW.name, NEW.architecture, NEW.parameter_count, NEW.dtype, NEW.artifact_uri,
        NEW.sha256, NEW.parent_model_id, NEW.producing_job_id, NEW.compression_method, NEW.compression_params,
        NEW.calibration_set_id, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.team_id, OLD.name, OLD.architecture, OLD.parameter_count, OLD.dtype, OLD.artifact_uri,
        OLD.sha256, OLD.parent_model_id, OLD.producing_job_id, OLD.compression_method, OLD.compression_params,
        OLD.calibration_set_id, OLD.created_at) THEN
        RAISE EXCEPTION 'model rows are immutable except description and tags' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER model_immutable BEFORE UPDATE ON model FOR EACH ROW EXECUTE FUNCTION refuse_model_update();
CREATE TRIGGER corpus_immutable BEFORE UPDATE ON corpus FOR EACH ROW EXECUTE FUNCTION refuse_update();
CREATE TRIGGER calibration_set_immutable BEFORE UPDATE ON calibration_set FOR EACH ROW EXECUTE FUNCTION refuse_update();
CREATE TRIGGER score_immutable BEFORE UPDATE ON score FOR EACH ROW EXECUTE FUNCTION refuse_update();

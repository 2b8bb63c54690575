-- attune-plain.sql — the Attune objects attune-top reads, on plain PostgreSQL (>= 14,
-- no TimescaleDB).
--
-- What this is: the subset of Attune's schema that attune-top uses (enum types, event,
-- enforcement, execution, worker, the two history tables and their triggers) plus the six
-- hourly aggregates of Attune's migration 20250101000009_timescaledb_history.sql, here as
-- PLAIN VIEWS with the same names, column names and column types as the TimescaleDB
-- continuous aggregates. Used by `attune-top --demo`, the test suite, and by anyone who
-- wants to try attune-top without TimescaleDB. sql/attune-timescale.sql is the TimescaleDB
-- counterpart (hypertables, compression, retention, continuous aggregates).
--
-- Schema: this file never names a schema. Everything is created in the FIRST schema of
-- the current search_path, as Attune's own migrations do. Install with:
--
--     psql -c 'CREATE SCHEMA attune'
--     PGOPTIONS='-c search_path=attune' psql -v ON_ERROR_STOP=1 -1 -f attune-plain.sql
--
-- The file is one PQexec-able string: no psql meta-commands, no COPY FROM STDIN. It
-- expects an empty schema and is not meant to be re-run.
--
-- The trigger functions below are copied from Attune unchanged. Like in Attune they name
-- their tables without a schema, so sessions that write to execution/worker must have the
-- Attune schema on their search_path (Attune sets it per connection).

-- ============================================================================
-- ENUM TYPES (Attune 20250101000001_initial_setup.sql; worker_role from 20260131000001)
-- ============================================================================

CREATE TYPE worker_type_enum AS ENUM ('local', 'remote', 'container');
COMMENT ON TYPE worker_type_enum IS 'Type of worker deployment';

CREATE TYPE worker_role_enum AS ENUM ('action', 'sensor', 'hybrid');
COMMENT ON TYPE worker_role_enum IS 'Worker role type: action (executes actions), sensor (monitors triggers), or hybrid (both)';

CREATE TYPE worker_status_enum AS ENUM ('active', 'inactive', 'busy', 'error');
COMMENT ON TYPE worker_status_enum IS 'Worker operational status';

CREATE TYPE enforcement_status_enum AS ENUM ('created', 'processed', 'disabled');
COMMENT ON TYPE enforcement_status_enum IS 'Enforcement processing status';

CREATE TYPE enforcement_condition_enum AS ENUM ('any', 'all');
COMMENT ON TYPE enforcement_condition_enum IS 'Logical operator for conditions (OR/AND)';

CREATE TYPE execution_status_enum AS ENUM (
    'requested',
    'scheduling',
    'scheduled',
    'running',
    'completed',
    'failed',
    'canceling',
    'cancelled',
    'timeout',
    'abandoned'
);
COMMENT ON TYPE execution_status_enum IS 'Execution lifecycle status';

-- Attune's shared BEFORE UPDATE helper.
CREATE FUNCTION update_updated_column()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated = NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION update_updated_column() IS 'Automatically updates the updated timestamp on row modification';

-- ============================================================================
-- OPERATIONAL TABLES
-- ============================================================================
-- Columns are Attune's, minus the ones attune-top never reads and whose types
-- would drag in further tables (FKs to trigger/sensor/rule/action/identity are
-- left out: those tables are not part of this subset). event, enforcement and
-- execution get the composite primary key (id, created) they have after the
-- hypertable conversion, so both install flavours look the same.

-- Events are immutable: created once by a sensor, never updated.
CREATE TABLE event (
    id          BIGSERIAL,
    trigger     BIGINT,
    trigger_ref TEXT        NOT NULL,
    config      JSONB,
    payload     JSONB,
    source      BIGINT,
    source_ref  TEXT,
    created     TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    rule        BIGINT,
    rule_ref    TEXT,
    PRIMARY KEY (id, created)
);

CREATE INDEX idx_event_trigger ON event (trigger);
CREATE INDEX idx_event_trigger_ref ON event (trigger_ref);
CREATE INDEX idx_event_created ON event (created DESC);
CREATE INDEX idx_event_trigger_ref_created ON event (trigger_ref, created DESC);

COMMENT ON TABLE event IS 'Events are instances of triggers firing';
COMMENT ON COLUMN event.trigger_ref IS 'Trigger reference (preserved even if trigger deleted)';

-- Enforcements: one per (rule, event) match; updated exactly once
-- (created -> processed/disabled, ~1 s later, setting resolved_at).
CREATE TABLE enforcement (
    id          BIGSERIAL,
    rule        BIGINT,
    rule_ref    TEXT                       NOT NULL,
    trigger_ref TEXT                       NOT NULL,
    config      JSONB,
    event       BIGINT,  -- references event(id); no FK (event is a hypertable in Attune)
    status      enforcement_status_enum    NOT NULL DEFAULT 'created',
    payload     JSONB                      NOT NULL,
    condition   enforcement_condition_enum NOT NULL DEFAULT 'all',
    conditions  JSONB                      NOT NULL DEFAULT '[]'::jsonb,
    created     TIMESTAMPTZ                NOT NULL DEFAULT NOW(),
    resolved_at TIMESTAMPTZ,
    PRIMARY KEY (id, created)
);

CREATE INDEX idx_enforcement_rule_ref ON enforcement (rule_ref);
CREATE INDEX idx_enforcement_event ON enforcement (event);
CREATE INDEX idx_enforcement_status ON enforcement (status);
CREATE INDEX idx_enforcement_created ON enforcement (created DESC);
CREATE INDEX idx_enforcement_rule_ref_created ON enforcement (rule_ref, created DESC);

COMMENT ON TABLE enforcement IS 'Enforcements represent rule triggering by events';
COMMENT ON COLUMN enforcement.resolved_at IS 'Timestamp when the enforcement was resolved (status changed from created to processed/disabled). NULL while status is created.';

-- Executions: requested -> scheduling -> scheduled -> running -> terminal.
CREATE TABLE execution (
    id            BIGSERIAL,
    action        BIGINT,
    action_ref    TEXT                  NOT NULL,
    config        JSONB,
    env_vars      JSONB,
    parent        BIGINT,
    enforcement   BIGINT,
    executor      BIGINT,
    status        execution_status_enum NOT NULL DEFAULT 'requested',
    result        JSONB,
    started_at    TIMESTAMPTZ,  -- set when execution transitions to 'running'
    workflow_task JSONB,
    created       TIMESTAMPTZ           NOT NULL DEFAULT NOW(),
    updated       TIMESTAMPTZ           NOT NULL DEFAULT NOW(),
    PRIMARY KEY (id, created)
);

CREATE INDEX idx_execution_action_ref ON execution (action_ref);
CREATE INDEX idx_execution_enforcement ON execution (enforcement);
CREATE INDEX idx_execution_status ON execution (status);
CREATE INDEX idx_execution_created ON execution (created DESC);
CREATE INDEX idx_execution_updated ON execution (updated DESC);
CREATE INDEX idx_execution_status_created ON execution (status, created DESC);
CREATE INDEX idx_execution_action_ref_created ON execution (action_ref, created DESC);

CREATE TRIGGER update_execution_updated
    BEFORE UPDATE ON execution
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE execution IS 'Executions represent action runs, supports nested workflows';
COMMENT ON COLUMN execution.action_ref IS 'Action reference (preserved even if action deleted)';
COMMENT ON COLUMN execution.status IS 'Current execution lifecycle status';

-- Workers register once, heartbeat every few seconds, change status now and then.
CREATE TABLE worker (
    id             BIGSERIAL PRIMARY KEY,
    name           TEXT               NOT NULL UNIQUE,
    worker_type    worker_type_enum   NOT NULL,
    worker_role    worker_role_enum   NOT NULL,
    runtime        BIGINT,
    host           TEXT,
    port           INTEGER,
    status         worker_status_enum NOT NULL DEFAULT 'active',
    capabilities   JSONB,
    meta           JSONB,
    last_heartbeat TIMESTAMPTZ,
    created        TIMESTAMPTZ        NOT NULL DEFAULT NOW(),
    updated        TIMESTAMPTZ        NOT NULL DEFAULT NOW()
);

CREATE INDEX idx_worker_status ON worker (status);
CREATE INDEX idx_worker_last_heartbeat ON worker (last_heartbeat DESC) WHERE last_heartbeat IS NOT NULL;

CREATE TRIGGER update_worker_updated
    BEFORE UPDATE ON worker
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE worker IS 'Worker registration, status and heartbeat';

-- ============================================================================
-- HISTORY (from here on: Attune's 20250101000009_timescaledb_history.sql without the
-- TimescaleDB calls: no hypertables, compression, retention or continuous aggregates)
-- ============================================================================

-- Returns a small {digest, size, type} object instead of the full JSONB value.
-- Used in history triggers for columns that can be arbitrarily large (e.g. result).
-- The full value is always available on the live row.
CREATE OR REPLACE FUNCTION _jsonb_digest_summary(val JSONB)
RETURNS JSONB AS $$
BEGIN
    IF val IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN jsonb_build_object(
        'digest', 'md5:' || md5(val::text),
        'size',   octet_length(val::text),
        'type',   jsonb_typeof(val)
    );
END;
$$ LANGUAGE plpgsql IMMUTABLE;

COMMENT ON FUNCTION _jsonb_digest_summary(JSONB) IS
    'Returns a compact {digest, size, type} summary of a JSONB value for use in history tables. '
    'The digest is md5 of the text representation — sufficient for change-detection, not for security.';

-- ----------------------------------------------------------------------------
-- execution_history
-- ----------------------------------------------------------------------------

CREATE TABLE execution_history (
    time             TIMESTAMPTZ    NOT NULL DEFAULT NOW(),
    operation        TEXT           NOT NULL,
    entity_id        BIGINT         NOT NULL,
    entity_ref       TEXT,
    changed_fields   TEXT[]         NOT NULL DEFAULT '{}',
    old_values       JSONB,
    new_values       JSONB
);

-- TimescaleDB indexes the partitioning column itself; a plain table needs it
-- explicitly for range scans on time.
CREATE INDEX idx_execution_history_time
    ON execution_history (time DESC);

CREATE INDEX idx_execution_history_entity
    ON execution_history (entity_id, time DESC);

CREATE INDEX idx_execution_history_entity_ref
    ON execution_history (entity_ref, time DESC);

CREATE INDEX idx_execution_history_status_changes
    ON execution_history (time DESC)
    WHERE 'status' = ANY(changed_fields);

CREATE INDEX idx_execution_history_changed_fields
    ON execution_history USING GIN (changed_fields);

COMMENT ON TABLE execution_history IS 'Append-only history of field-level changes to the execution table';
COMMENT ON COLUMN execution_history.time IS 'When the change occurred (hypertable partitioning dimension)';
COMMENT ON COLUMN execution_history.operation IS 'INSERT, UPDATE, or DELETE';
COMMENT ON COLUMN execution_history.entity_id IS 'execution.id of the changed row';
COMMENT ON COLUMN execution_history.entity_ref IS 'Denormalized action_ref for JOIN-free queries';
COMMENT ON COLUMN execution_history.changed_fields IS 'Array of field names that changed (empty for INSERT/DELETE)';
COMMENT ON COLUMN execution_history.old_values IS 'Previous values of changed fields (NULL for INSERT)';
COMMENT ON COLUMN execution_history.new_values IS 'New values of changed fields (NULL for DELETE)';

-- ----------------------------------------------------------------------------
-- worker_history
-- ----------------------------------------------------------------------------

CREATE TABLE worker_history (
    time             TIMESTAMPTZ    NOT NULL DEFAULT NOW(),
    operation        TEXT           NOT NULL,
    entity_id        BIGINT         NOT NULL,
    entity_ref       TEXT,
    changed_fields   TEXT[]         NOT NULL DEFAULT '{}',
    old_values       JSONB,
    new_values       JSONB
);

CREATE INDEX idx_worker_history_time
    ON worker_history (time DESC);

CREATE INDEX idx_worker_history_entity
    ON worker_history (entity_id, time DESC);

CREATE INDEX idx_worker_history_entity_ref
    ON worker_history (entity_ref, time DESC);

CREATE INDEX idx_worker_history_status_changes
    ON worker_history (time DESC)
    WHERE 'status' = ANY(changed_fields);

CREATE INDEX idx_worker_history_changed_fields
    ON worker_history USING GIN (changed_fields);

COMMENT ON TABLE worker_history IS 'Append-only history of field-level changes to the worker table';
COMMENT ON COLUMN worker_history.entity_ref IS 'Denormalized worker name for JOIN-free queries';

-- ============================================================================
-- TRIGGER FUNCTIONS (verbatim from Attune)
-- ============================================================================

-- ----------------------------------------------------------------------------
-- execution history trigger
-- Tracked fields: status, result, executor, workflow_task, env_vars, started_at
-- Note: result uses _jsonb_digest_summary() to avoid storing large payloads
-- ----------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION record_execution_history()
RETURNS TRIGGER AS $$
DECLARE
    changed TEXT[] := '{}';
    old_vals JSONB := '{}';
    new_vals JSONB := '{}';
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO execution_history (time, operation, entity_id, entity_ref, changed_fields, old_values, new_values)
        VALUES (NOW(), 'INSERT', NEW.id, NEW.action_ref, '{}', NULL,
                jsonb_build_object(
                    'status', NEW.status,
                    'action_ref', NEW.action_ref,
                    'executor', NEW.executor,
                    'parent', NEW.parent,
                    'enforcement', NEW.enforcement,
                    'started_at', NEW.started_at
                ));
        RETURN NEW;
    END IF;

    IF TG_OP = 'DELETE' THEN
        INSERT INTO execution_history (time, operation, entity_id, entity_ref, changed_fields, old_values, new_values)
        VALUES (NOW(), 'DELETE', OLD.id, OLD.action_ref, '{}', NULL, NULL);
        RETURN OLD;
    END IF;

    -- UPDATE: detect which fields changed

    IF OLD.status IS DISTINCT FROM NEW.status THEN
        changed := array_append(changed, 'status');
        old_vals := old_vals || jsonb_build_object('status', OLD.status);
        new_vals := new_vals || jsonb_build_object('status', NEW.status);
    END IF;

    -- Result: store a compact digest instead of the full JSONB to avoid bloat.
    -- The live execution row always has the complete result.
    IF OLD.result IS DISTINCT FROM NEW.result THEN
        changed := array_append(changed, 'result');
        old_vals := old_vals || jsonb_build_object('result', _jsonb_digest_summary(OLD.result));
        new_vals := new_vals || jsonb_build_object('result', _jsonb_digest_summary(NEW.result));
    END IF;

    IF OLD.executor IS DISTINCT FROM NEW.executor THEN
        changed := array_append(changed, 'executor');
        old_vals := old_vals || jsonb_build_object('executor', OLD.executor);
        new_vals := new_vals || jsonb_build_object('executor', NEW.executor);
    END IF;

    IF OLD.workflow_task IS DISTINCT FROM NEW.workflow_task THEN
        changed := array_append(changed, 'workflow_task');
        old_vals := old_vals || jsonb_build_object('workflow_task', OLD.workflow_task);
        new_vals := new_vals || jsonb_build_object('workflow_task', NEW.workflow_task);
    END IF;

    IF OLD.env_vars IS DISTINCT FROM NEW.env_vars THEN
        changed := array_append(changed, 'env_vars');
        old_vals := old_vals || jsonb_build_object('env_vars', OLD.env_vars);
        new_vals := new_vals || jsonb_build_object('env_vars', NEW.env_vars);
    END IF;

    IF OLD.started_at IS DISTINCT FROM NEW.started_at THEN
        changed := array_append(changed, 'started_at');
        old_vals := old_vals || jsonb_build_object('started_at', OLD.started_at);
        new_vals := new_vals || jsonb_build_object('started_at', NEW.started_at);
    END IF;

    -- Only record if something actually changed
    IF array_length(changed, 1) > 0 THEN
        INSERT INTO execution_history (time, operation, entity_id, entity_ref, changed_fields, old_values, new_values)
        VALUES (NOW(), 'UPDATE', NEW.id, NEW.action_ref, changed, old_vals, new_vals);
    END IF;

    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION record_execution_history() IS 'Records field-level changes to execution table in execution_history hypertable';

-- ----------------------------------------------------------------------------
-- worker history trigger
-- Tracked fields: name, status, capabilities, meta, host, port
-- Excludes: last_heartbeat when it is the only field that changed
-- ----------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION record_worker_history()
RETURNS TRIGGER AS $$
DECLARE
    changed TEXT[] := '{}';
    old_vals JSONB := '{}';
    new_vals JSONB := '{}';
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO worker_history (time, operation, entity_id, entity_ref, changed_fields, old_values, new_values)
        VALUES (NOW(), 'INSERT', NEW.id, NEW.name, '{}', NULL,
                jsonb_build_object(
                    'name', NEW.name,
                    'worker_type', NEW.worker_type,
                    'worker_role', NEW.worker_role,
                    'status', NEW.status,
                    'host', NEW.host,
                    'port', NEW.port
                ));
        RETURN NEW;
    END IF;

    IF TG_OP = 'DELETE' THEN
        INSERT INTO worker_history (time, operation, entity_id, entity_ref, changed_fields, old_values, new_values)
        VALUES (NOW(), 'DELETE', OLD.id, OLD.name, '{}', NULL, NULL);
        RETURN OLD;
    END IF;

    -- UPDATE: detect which fields changed
    IF OLD.name IS DISTINCT FROM NEW.name THEN
        changed := array_append(changed, 'name');
        old_vals := old_vals || jsonb_build_object('name', OLD.name);
        new_vals := new_vals || jsonb_build_object('name', NEW.name);
    END IF;

    IF OLD.status IS DISTINCT FROM NEW.status THEN
        changed := array_append(changed, 'status');
        old_vals := old_vals || jsonb_build_object('status', OLD.status);
        new_vals := new_vals || jsonb_build_object('status', NEW.status);
    END IF;

    IF OLD.capabilities IS DISTINCT FROM NEW.capabilities THEN
        changed := array_append(changed, 'capabilities');
        old_vals := old_vals || jsonb_build_object('capabilities', OLD.capabilities);
        new_vals := new_vals || jsonb_build_object('capabilities', NEW.capabilities);
    END IF;

    IF OLD.meta IS DISTINCT FROM NEW.meta THEN
        changed := array_append(changed, 'meta');
        old_vals := old_vals || jsonb_build_object('meta', OLD.meta);
        new_vals := new_vals || jsonb_build_object('meta', NEW.meta);
    END IF;

    IF OLD.host IS DISTINCT FROM NEW.host THEN
        changed := array_append(changed, 'host');
        old_vals := old_vals || jsonb_build_object('host', OLD.host);
        new_vals := new_vals || jsonb_build_object('host', NEW.host);
    END IF;

    IF OLD.port IS DISTINCT FROM NEW.port THEN
        changed := array_append(changed, 'port');
        old_vals := old_vals || jsonb_build_object('port', OLD.port);
        new_vals := new_vals || jsonb_build_object('port', NEW.port);
    END IF;

    -- Only record if something besides last_heartbeat changed.
    -- Pure heartbeat-only updates are excluded to avoid high-volume noise.
    IF array_length(changed, 1) > 0 THEN
        INSERT INTO worker_history (time, operation, entity_id, entity_ref, changed_fields, old_values, new_values)
        VALUES (NOW(), 'UPDATE', NEW.id, NEW.name, changed, old_vals, new_vals);
    END IF;

    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION record_worker_history() IS 'Records field-level changes to worker table in worker_history hypertable. Excludes heartbeat-only updates.';

-- ============================================================================
-- ATTACH TRIGGERS TO OPERATIONAL TABLES
-- ============================================================================

CREATE TRIGGER execution_history_trigger
    AFTER INSERT OR UPDATE OR DELETE ON execution
    FOR EACH ROW
    EXECUTE FUNCTION record_execution_history();

CREATE TRIGGER worker_history_trigger
    AFTER INSERT OR UPDATE OR DELETE ON worker
    FOR EACH ROW
    EXECUTE FUNCTION record_worker_history();

-- ============================================================================
-- HOURLY AGGREGATES AS PLAIN VIEWS
-- ============================================================================
-- Same names, columns, types, WHERE and GROUP BY as Attune's continuous
-- aggregates, computed on every read (so they are never behind: there is no
-- watermark). time_bucket('1 hour', t) is replaced by date_bin with a UTC
-- origin: on timestamptz it works on absolute time, so buckets start on UTC
-- hour boundaries whatever the session or server TimeZone (date_trunc would
-- follow the session TimeZone, e.g. :30 boundaries under Asia/Kolkata).

-- Execution status transitions per hour, by action_ref and new status.
CREATE VIEW execution_status_hourly AS
SELECT
    date_bin('1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
    entity_ref AS action_ref,
    new_values->>'status' AS new_status,
    COUNT(*) AS transition_count
FROM execution_history
WHERE 'status' = ANY(changed_fields)
GROUP BY bucket, entity_ref, new_values->>'status';

-- Executions created per hour, regardless of status.
CREATE VIEW execution_throughput_hourly AS
SELECT
    date_bin('1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
    entity_ref AS action_ref,
    COUNT(*) AS execution_count
FROM execution_history
WHERE operation = 'INSERT'
GROUP BY bucket, entity_ref;

-- Events per hour by trigger ref.
CREATE VIEW event_volume_hourly AS
SELECT
    date_bin('1 hour', created, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
    trigger_ref,
    COUNT(*) AS event_count
FROM event
GROUP BY bucket, trigger_ref;

-- Worker status transitions per hour.
CREATE VIEW worker_status_hourly AS
SELECT
    date_bin('1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
    entity_ref AS worker_name,
    new_values->>'status' AS new_status,
    COUNT(*) AS transition_count
FROM worker_history
WHERE 'status' = ANY(changed_fields)
GROUP BY bucket, entity_ref, new_values->>'status';

-- Enforcements per hour by rule ref.
CREATE VIEW enforcement_volume_hourly AS
SELECT
    date_bin('1 hour', created, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
    rule_ref,
    COUNT(*) AS enforcement_count
FROM enforcement
GROUP BY bucket, rule_ref;

-- Executions per hour by action_ref and (current) status of the live row.
CREATE VIEW execution_volume_hourly AS
SELECT
    date_bin('1 hour', created, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
    action_ref,
    status AS initial_status,
    COUNT(*) AS execution_count
FROM execution
GROUP BY bucket, action_ref, status;

COMMENT ON VIEW execution_status_hourly IS 'Plain-view stand-in for the execution_status_hourly continuous aggregate';
COMMENT ON VIEW execution_throughput_hourly IS 'Plain-view stand-in for the execution_throughput_hourly continuous aggregate';
COMMENT ON VIEW event_volume_hourly IS 'Plain-view stand-in for the event_volume_hourly continuous aggregate';
COMMENT ON VIEW worker_status_hourly IS 'Plain-view stand-in for the worker_status_hourly continuous aggregate';
COMMENT ON VIEW enforcement_volume_hourly IS 'Plain-view stand-in for the enforcement_volume_hourly continuous aggregate';
COMMENT ON VIEW execution_volume_hourly IS 'Plain-view stand-in for the execution_volume_hourly continuous aggregate';

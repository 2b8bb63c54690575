-- attune-native.sql — the Attune objects attune-top reads, as a current Attune installation
-- on stock PostgreSQL has them (upstream main since October 2026: no TimescaleDB).
--
-- What this is: the same enum types, entity tables, history tables and history triggers as
-- sql/attune-plain.sql, in the native shape of Attune's migrations
--   20250101000004 / 20250101000009 / 20250101000013  (event, execution_history and
--       audit_event are RANGE-partitioned parents with a DEFAULT partition; the six hourly
--       relations are plain views bucketing with date_trunc('hour', t, 'UTC')),
--   20250101000014  (runtime_retention_target_config: per-target max age, 30 days default),
--   20261006000001  (UTC day leaves <parent>_pYYYYMMDD, native_partition_registry,
--       native_maintenance_schedule),
--   20261006000002  (native_summary_state, the ledger native_summary_hour, the queue of
--       dirtied hours native_summary_invalidation filled by statement-level triggers, and
--       the four *_hourly_summary tables).
-- Upstream's supervisor (Rust) creates day leaves, repairs DEFAULT, expires old days and
-- builds the summaries. Here two SQL functions stand in for it, so a test or the demo can
-- drive the same states: native_partition_maintain() and native_summary_build(). They are
-- written for this project (bounded budgets, leader locks and deadlines of the real
-- supervisor are left out); object names, columns, types and meanings are upstream's.
--
-- How upstream reads it, and so must attune-top (crates/common/src/repositories/
-- native_maintenance/read.rs; details in sql/native-upstream-notes.md): an hour comes from
-- a summary table only when it has ended, is in native_summary_hour and has no row in
-- native_summary_invalidation; every other hour is counted from the source rows with
-- half-open bounds on the source's own time column.
--
-- Differences from upstream, and why:
--   * enforcement and execution keep the (id, created) primary key of attune-plain.sql
--     (upstream: id alone), so the demo workload is the same for every shape;
--   * audit_event has only the columns a storage view could need; it gets no rows from
--     the demo (upstream's execution audit trigger is left out);
--   * no GRANTs for writer roles (one owner here);
--   * the invalidation triggers and the maintenance functions are this project's own.
--
-- Requires PostgreSQL 15 or newer (UNIQUE NULLS NOT DISTINCT on the summary tables).
-- Upstream supports 16+; nothing in this file needs more than 15.
--
-- Schema: this file never names a schema. Everything is created in the FIRST schema of
-- the current search_path, as Attune's own migrations do. Install with:
--
--     psql -c 'CREATE SCHEMA attune'
--     PGOPTIONS='-c search_path=attune' psql -v ON_ERROR_STOP=1 -1 -f attune-native.sql
--
-- The file is one PQexec-able string: no psql meta-commands, no COPY FROM STDIN. It
-- expects an empty schema and is not meant to be re-run. Day leaves for today and the
-- next 7 UTC days are created at install time, as upstream's migration does.
--
-- The functions name their tables without a schema (like Attune's): sessions that write
-- to the Attune tables or call the maintenance functions must have the Attune schema on
-- their search_path.

DO $$
BEGIN
    IF current_setting('server_version_num')::integer < 150000 THEN
        RAISE EXCEPTION 'attune-native.sql needs PostgreSQL 15 or newer (this is %)',
            current_setting('server_version');
    END IF;
END $$;

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

-- Attune 20250101000013_audit_log.sql
CREATE TYPE audit_category_enum AS ENUM ('api', 'auth', 'rbac', 'secret', 'admin', 'execution', 'pack');
CREATE TYPE audit_outcome_enum AS ENUM ('success', 'failure', 'denied');

-- Attune 20261006000001 / 20261006000002: the managed parents and the summary kinds.
-- The kind enum's order is also the order in which builders lock kinds.
CREATE TYPE native_partition_parent AS ENUM ('event', 'execution_history', 'audit_event');
CREATE TYPE native_summary_kind AS ENUM ('execution_status', 'execution_creation', 'event_volume', 'worker_status');

-- ============================================================================
-- OPERATIONAL TABLES
-- ============================================================================
-- Columns are Attune's, minus the ones attune-top never reads (as in
-- sql/attune-plain.sql). event is partitioned by UTC day on created; its primary key
-- includes the partition key. enforcement and execution are ordinary tables; they keep
-- the (id, created) key of sql/attune-plain.sql so every install flavour looks alike.

-- Events are immutable: created once by a sensor, never updated.
CREATE TABLE event (
    id          BIGSERIAL   NOT NULL,
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
) PARTITION BY RANGE (created);

-- Rows of a UTC day without its leaf land here; maintenance moves whole days out.
CREATE TABLE event_default PARTITION OF event DEFAULT;

CREATE INDEX idx_event_trigger ON event (trigger);
CREATE INDEX idx_event_trigger_ref ON event (trigger_ref);
CREATE INDEX idx_event_created ON event (created DESC);
CREATE INDEX idx_event_trigger_ref_created ON event (trigger_ref, created DESC);

COMMENT ON TABLE event IS 'Events are instances of triggers firing (partitioned by UTC day on created)';
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
-- HISTORY (Attune's 20250101000009_timescaledb_history.sql as it is today: despite its
-- name, ordinary PostgreSQL; execution_history is partitioned by UTC day on time,
-- worker_history is an ordinary table)
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
) PARTITION BY RANGE (time);

CREATE TABLE execution_history_default PARTITION OF execution_history DEFAULT;

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

COMMENT ON TABLE execution_history IS 'Append-only history of field-level changes to the execution table (partitioned by UTC day on time)';
COMMENT ON COLUMN execution_history.time IS 'When the change occurred (partition key)';
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

-- ----------------------------------------------------------------------------
-- audit_event (Attune 20250101000013_audit_log.sql; attune-top reads only its storage)
-- ----------------------------------------------------------------------------

CREATE TABLE audit_event (
    id                BIGSERIAL           NOT NULL,
    created           TIMESTAMPTZ         NOT NULL DEFAULT NOW(),
    category          audit_category_enum NOT NULL,
    event_type        TEXT                NOT NULL,
    outcome           audit_outcome_enum  NOT NULL,
    actor_identity    BIGINT,
    actor_login       TEXT,
    resource_type     TEXT,
    resource_id       BIGINT,
    resource_ref      TEXT,
    details           JSONB,
    correlation_chain JSONB,
    PRIMARY KEY (id, created)
) PARTITION BY RANGE (created);

CREATE TABLE audit_event_default PARTITION OF audit_event DEFAULT;

CREATE INDEX idx_audit_event_created ON audit_event (created DESC);
CREATE INDEX idx_audit_event_category ON audit_event (category, created DESC);

COMMENT ON TABLE audit_event IS 'Security-grade audit trail (partitioned by UTC day on created)';

-- ============================================================================
-- TRIGGER FUNCTIONS (as in sql/attune-plain.sql: Attune's, unchanged)
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

COMMENT ON FUNCTION record_execution_history() IS 'Records field-level changes to execution table in execution_history';

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

COMMENT ON FUNCTION record_worker_history() IS 'Records field-level changes to worker table in worker_history. Excludes heartbeat-only updates.';

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
-- HOURLY RELATIONS: PLAIN VIEWS (Attune 20250101000009)
-- ============================================================================
-- Computed on every read, so never behind. date_trunc with an explicit 'UTC' zone puts
-- bucket starts on UTC hour boundaries whatever the session TimeZone. A filter on
-- bucket cannot prune partitions or use the time indexes: readers bound the source's
-- own time column (half-open) and group the same way instead.

-- Execution status transitions per hour, by action_ref and new status.
CREATE VIEW execution_status_hourly AS
SELECT
    date_trunc('hour', time, 'UTC') AS bucket,
    entity_ref AS action_ref,
    new_values->>'status' AS new_status,
    COUNT(*) AS transition_count
FROM execution_history
WHERE 'status' = ANY(changed_fields)
GROUP BY bucket, entity_ref, new_values->>'status';

-- Executions created per hour, regardless of status.
CREATE VIEW execution_throughput_hourly AS
SELECT
    date_trunc('hour', time, 'UTC') AS bucket,
    entity_ref AS action_ref,
    COUNT(*) AS execution_count
FROM execution_history
WHERE operation = 'INSERT'
GROUP BY bucket, entity_ref;

-- Events per hour by trigger ref.
CREATE VIEW event_volume_hourly AS
SELECT
    date_trunc('hour', created, 'UTC') AS bucket,
    trigger_ref,
    COUNT(*) AS event_count
FROM event
GROUP BY bucket, trigger_ref;

-- Worker status transitions per hour.
CREATE VIEW worker_status_hourly AS
SELECT
    date_trunc('hour', time, 'UTC') AS bucket,
    entity_ref AS worker_name,
    new_values->>'status' AS new_status,
    COUNT(*) AS transition_count
FROM worker_history
WHERE 'status' = ANY(changed_fields)
GROUP BY bucket, entity_ref, new_values->>'status';

-- Enforcements per hour by rule ref.
CREATE VIEW enforcement_volume_hourly AS
SELECT
    date_trunc('hour', created, 'UTC') AS bucket,
    rule_ref,
    COUNT(*) AS enforcement_count
FROM enforcement
GROUP BY bucket, rule_ref;

-- Executions per hour by action_ref and (current) status of the live row.
CREATE VIEW execution_volume_hourly AS
SELECT
    date_trunc('hour', created, 'UTC') AS bucket,
    action_ref,
    status AS initial_status,
    COUNT(*) AS execution_count
FROM execution
GROUP BY bucket, action_ref, status;

-- ============================================================================
-- RETENTION SETTINGS (Attune 20250101000014_runtime_retention_supervisor.sql)
-- ============================================================================
-- Read by the supervisor at every cycle. max_age_seconds NULL keeps a target forever.
-- Native installs drop whole expired day leaves of event / execution_history /
-- audit_event and delete the remaining older rows (DEFAULT, the boundary day) by time.

CREATE TABLE runtime_retention_config (
    id                     BOOLEAN     PRIMARY KEY DEFAULT TRUE CHECK (id),
    enabled                BOOLEAN     NOT NULL DEFAULT TRUE,
    check_interval_seconds BIGINT      NOT NULL DEFAULT 3600 CHECK (check_interval_seconds > 0),
    batch_size             BIGINT      NOT NULL DEFAULT 1000 CHECK (batch_size > 0),
    dry_run                BOOLEAN     NOT NULL DEFAULT FALSE,
    native_maintenance     JSONB       NOT NULL DEFAULT '{}',  -- added by 20261006000001
    created                TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated                TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
INSERT INTO runtime_retention_config DEFAULT VALUES;

CREATE TABLE runtime_retention_target_config (
    target          TEXT        PRIMARY KEY,
    max_age_seconds BIGINT      CHECK (max_age_seconds IS NULL OR max_age_seconds > 0),
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
INSERT INTO runtime_retention_target_config (target, max_age_seconds) VALUES
    ('events', 2592000),
    ('enforcements', 2592000),
    ('executions', 2592000),
    ('execution_history', 2592000),
    ('worker_history', 2592000),
    ('audit_events', 7776000);

COMMENT ON TABLE runtime_retention_target_config IS 'Per-target retention (seconds); NULL keeps forever';

-- ============================================================================
-- DAY PARTITIONS (Attune 20261006000001_native_partitions.sql)
-- ============================================================================
-- Each managed parent has one leaf per UTC day, named <parent>_pYYYYMMDD and covering
-- [day, day + 24 h), plus <parent>_default for rows of days without a leaf. Every leaf
-- is listed here; upstream refuses to touch a leaf that is not.

CREATE TABLE native_partition_registry (
    id             BIGSERIAL               PRIMARY KEY,
    parent         native_partition_parent NOT NULL,
    partition_name TEXT                    NOT NULL UNIQUE,
    lower_bound    TIMESTAMPTZ             NOT NULL,
    upper_bound    TIMESTAMPTZ             NOT NULL,
    created        TIMESTAMPTZ             NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (parent, lower_bound),
    CHECK (lower_bound = date_trunc('day', lower_bound, 'UTC')),
    CHECK (upper_bound = lower_bound + interval '24 hours')
);

COMMENT ON TABLE native_partition_registry IS 'One row per day leaf of event, execution_history and audit_event';

-- Durable cadences of the supervisor's three jobs (defaults: partition and retention
-- hourly, summary every 300 s; a failed attempt retries within 60 s).
CREATE TABLE native_maintenance_schedule (
    job          TEXT        PRIMARY KEY CHECK (job IN ('partition', 'summary', 'retention')),
    next_due     TIMESTAMPTZ NOT NULL,
    last_success TIMESTAMPTZ
);
INSERT INTO native_maintenance_schedule (job, next_due)
VALUES ('partition', now()), ('summary', now()), ('retention', now());

-- ============================================================================
-- HOURLY SUMMARIES (Attune 20261006000002_hourly_summaries.sql)
-- ============================================================================
-- native_summary_state: one row per kind, locked by whoever builds or expires that kind.
-- native_summary_hour: the ledger. A row (kind, bucket) says the summary table holds
--   every group of that UTC hour as of refreshed_at (an empty hour has a ledger row and
--   no groups).
-- native_summary_invalidation: hours whose source rows changed after (or without) a
--   build, appended by statement-level triggers on the sources in the writer's own
--   transaction. A builder deletes exactly the rows it saw when it started, so a
--   change committed during or after a build leaves its hour queued.
-- A summary row is valid only for a ledger hour with no queued invalidation.

CREATE TABLE native_summary_state (
    kind    native_summary_kind PRIMARY KEY,
    updated TIMESTAMPTZ         NOT NULL DEFAULT clock_timestamp()
);
INSERT INTO native_summary_state (kind)
SELECT k FROM unnest(enum_range(NULL::native_summary_kind)) AS k;

CREATE TABLE native_summary_hour (
    kind         native_summary_kind NOT NULL,
    bucket       TIMESTAMPTZ         NOT NULL CHECK (bucket = date_trunc('hour', bucket, 'UTC')),
    refreshed_at TIMESTAMPTZ         NOT NULL,
    PRIMARY KEY (kind, bucket)
);

CREATE TABLE native_summary_invalidation (
    id                 BIGSERIAL           PRIMARY KEY,
    kind               native_summary_kind NOT NULL,
    bucket             TIMESTAMPTZ         NOT NULL CHECK (bucket = date_trunc('hour', bucket, 'UTC')),
    created            TIMESTAMPTZ         NOT NULL DEFAULT clock_timestamp(),
    transaction_origin xid8                NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX idx_native_summary_invalidation_bucket ON native_summary_invalidation (kind, bucket, id);
CREATE INDEX idx_native_summary_invalidation_created ON native_summary_invalidation (created);
CREATE INDEX idx_native_summary_invalidation_origin ON native_summary_invalidation (kind, bucket, transaction_origin);

-- The summaries: same grouping as the views, one row per group of a built hour.
CREATE TABLE execution_status_hourly_summary (
    bucket           TIMESTAMPTZ NOT NULL CHECK (bucket = date_trunc('hour', bucket, 'UTC')),
    action_ref       TEXT,
    new_status       TEXT,
    transition_count BIGINT      NOT NULL CHECK (transition_count >= 0),
    UNIQUE NULLS NOT DISTINCT (bucket, action_ref, new_status)
);
CREATE TABLE execution_creation_hourly_summary (
    bucket          TIMESTAMPTZ NOT NULL CHECK (bucket = date_trunc('hour', bucket, 'UTC')),
    action_ref      TEXT,
    execution_count BIGINT      NOT NULL CHECK (execution_count >= 0),
    UNIQUE NULLS NOT DISTINCT (bucket, action_ref)
);
CREATE TABLE event_volume_hourly_summary (
    bucket      TIMESTAMPTZ NOT NULL CHECK (bucket = date_trunc('hour', bucket, 'UTC')),
    trigger_ref TEXT        NOT NULL,
    event_count BIGINT      NOT NULL CHECK (event_count >= 0),
    UNIQUE (bucket, trigger_ref)
);
CREATE TABLE worker_status_hourly_summary (
    bucket           TIMESTAMPTZ NOT NULL CHECK (bucket = date_trunc('hour', bucket, 'UTC')),
    worker_name      TEXT,
    new_status       TEXT,
    transition_count BIGINT      NOT NULL CHECK (transition_count >= 0),
    UNIQUE NULLS NOT DISTINCT (bucket, worker_name, new_status)
);

COMMENT ON TABLE execution_status_hourly_summary IS 'execution_status_hourly of built hours (valid where native_summary_hour has the hour and native_summary_invalidation has not)';
COMMENT ON TABLE execution_creation_hourly_summary IS 'execution_throughput_hourly of built hours';
COMMENT ON TABLE event_volume_hourly_summary IS 'event_volume_hourly of built hours';
COMMENT ON TABLE worker_status_hourly_summary IS 'worker_status_hourly of built hours';

-- ----------------------------------------------------------------------------
-- Recording dirtied hours
-- ----------------------------------------------------------------------------

-- Queues (kind, hour) pairs, at most once per pair and transaction: a pair already
-- queued by this very transaction (its origin and its row's xmin are ours) is skipped.
-- Inside a savepoint the xmin is the subtransaction's, so a second row may be queued;
-- that is harmless.
CREATE FUNCTION native_summary_note(p_kinds native_summary_kind[], p_hours timestamptz[])
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_added bigint;
BEGIN
    INSERT INTO native_summary_invalidation (kind, bucket)
    SELECT DISTINCT d.kind, d.bucket
      FROM unnest(p_kinds, p_hours) AS d (kind, bucket)
     WHERE d.kind IS NOT NULL
       AND NOT EXISTS (
               SELECT 1 FROM native_summary_invalidation q
                WHERE q.kind = d.kind AND q.bucket = d.bucket
                  AND q.transaction_origin = pg_current_xact_id()
                  AND q.xmin = pg_current_xact_id()::xid);
    GET DIAGNOSTICS v_added = ROW_COUNT;
    RETURN v_added;
END $$;

-- Statement trigger on event: every hour an inserted, updated or deleted row is (or
-- was) in dirties event_volume.
CREATE FUNCTION native_summary_event_changed()
RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_hours timestamptz[] := '{}';
    v_part  timestamptz[];
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT array_agg(DISTINCT date_trunc('hour', n.created, 'UTC')) INTO v_part FROM native_new n;
        v_hours := v_hours || coalesce(v_part, '{}');
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT array_agg(DISTINCT date_trunc('hour', o.created, 'UTC')) INTO v_part FROM native_old o;
        v_hours := v_hours || coalesce(v_part, '{}');
    END IF;
    IF cardinality(v_hours) > 0 THEN
        PERFORM native_summary_note(array_fill('event_volume'::native_summary_kind,
                                               ARRAY[cardinality(v_hours)]), v_hours);
    END IF;
    RETURN NULL;
END $$;

-- Statement trigger on execution_history and worker_history: a row with 'status' in
-- changed_fields dirties the status kind of its hour; an execution_history INSERT row
-- (an execution was created) dirties execution_creation.
CREATE FUNCTION native_summary_history_changed()
RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_status   native_summary_kind := CASE TG_TABLE_NAME WHEN 'execution_history' THEN 'execution_status'
                                                         ELSE 'worker_status' END::native_summary_kind;
    v_creation boolean := TG_TABLE_NAME = 'execution_history';
    v_kinds    native_summary_kind[] := '{}';
    v_hours    timestamptz[] := '{}';
    v_k        native_summary_kind[];
    v_h        timestamptz[];
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT array_agg(t.kind), array_agg(t.hour) INTO v_k, v_h
          FROM (SELECT v_status AS kind, date_trunc('hour', n.time, 'UTC') AS hour
                  FROM native_new n WHERE 'status' = ANY(n.changed_fields)
                UNION
                SELECT 'execution_creation', date_trunc('hour', n.time, 'UTC')
                  FROM native_new n WHERE v_creation AND n.operation = 'INSERT') t;
        v_kinds := v_kinds || coalesce(v_k, '{}');
        v_hours := v_hours || coalesce(v_h, '{}');
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT array_agg(t.kind), array_agg(t.hour) INTO v_k, v_h
          FROM (SELECT v_status AS kind, date_trunc('hour', o.time, 'UTC') AS hour
                  FROM native_old o WHERE 'status' = ANY(o.changed_fields)
                UNION
                SELECT 'execution_creation', date_trunc('hour', o.time, 'UTC')
                  FROM native_old o WHERE v_creation AND o.operation = 'INSERT') t;
        v_kinds := v_kinds || coalesce(v_k, '{}');
        v_hours := v_hours || coalesce(v_h, '{}');
    END IF;
    IF cardinality(v_kinds) > 0 THEN
        PERFORM native_summary_note(v_kinds, v_hours);
    END IF;
    RETURN NULL;
END $$;

-- Statement triggers fire for statements on the parent; rows written straight into a
-- leaf bypass them (maintenance notes the hours of rows it moves itself).
CREATE TRIGGER native_summary_insert AFTER INSERT ON event
    REFERENCING NEW TABLE AS native_new
    FOR EACH STATEMENT EXECUTE FUNCTION native_summary_event_changed();
CREATE TRIGGER native_summary_update AFTER UPDATE ON event
    REFERENCING OLD TABLE AS native_old NEW TABLE AS native_new
    FOR EACH STATEMENT EXECUTE FUNCTION native_summary_event_changed();
CREATE TRIGGER native_summary_delete AFTER DELETE ON event
    REFERENCING OLD TABLE AS native_old
    FOR EACH STATEMENT EXECUTE FUNCTION native_summary_event_changed();

CREATE TRIGGER native_summary_insert AFTER INSERT ON execution_history
    REFERENCING NEW TABLE AS native_new
    FOR EACH STATEMENT EXECUTE FUNCTION native_summary_history_changed();
CREATE TRIGGER native_summary_update AFTER UPDATE ON execution_history
    REFERENCING OLD TABLE AS native_old NEW TABLE AS native_new
    FOR EACH STATEMENT EXECUTE FUNCTION native_summary_history_changed();
CREATE TRIGGER native_summary_delete AFTER DELETE ON execution_history
    REFERENCING OLD TABLE AS native_old
    FOR EACH STATEMENT EXECUTE FUNCTION native_summary_history_changed();

CREATE TRIGGER native_summary_insert AFTER INSERT ON worker_history
    REFERENCING NEW TABLE AS native_new
    FOR EACH STATEMENT EXECUTE FUNCTION native_summary_history_changed();
CREATE TRIGGER native_summary_update AFTER UPDATE ON worker_history
    REFERENCING OLD TABLE AS native_old NEW TABLE AS native_new
    FOR EACH STATEMENT EXECUTE FUNCTION native_summary_history_changed();
CREATE TRIGGER native_summary_delete AFTER DELETE ON worker_history
    REFERENCING OLD TABLE AS native_old
    FOR EACH STATEMENT EXECUTE FUNCTION native_summary_history_changed();

-- ----------------------------------------------------------------------------
-- Small helpers
-- ----------------------------------------------------------------------------

-- The column a managed parent is partitioned on.
CREATE FUNCTION native_partition_key(p_parent native_partition_parent)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_parent WHEN 'execution_history' THEN 'time' ELSE 'created' END
$$;

-- The leaf of a UTC day: <parent>_pYYYYMMDD.
CREATE FUNCTION native_partition_leaf_name(p_parent native_partition_parent, p_day timestamptz)
RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT p_parent::text || '_p' || to_char(p_day AT TIME ZONE 'UTC', 'YYYYMMDD')
$$;

-- A timestamptz literal that reads back the same whatever DateStyle and TimeZone are.
CREATE FUNCTION native_utc_literal(p_at timestamptz)
RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00"')
$$;

-- The summary kinds a source relation feeds.
CREATE FUNCTION native_summary_kinds_of(p_source text)
RETURNS native_summary_kind[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_source
        WHEN 'event' THEN ARRAY['event_volume']
        WHEN 'execution_history' THEN ARRAY['execution_status', 'execution_creation']
        WHEN 'worker_history' THEN ARRAY['worker_status']
        ELSE ARRAY[]::text[] END::native_summary_kind[]
$$;

-- Forgets the summaries of the hours in [p_from, p_before) of one kind: their groups,
-- their ledger entries and their queued invalidations (retention: the source rows of
-- those hours are gone, so nothing about them may be read from a summary any more).
CREATE FUNCTION native_summary_forget(p_kind native_summary_kind, p_from timestamptz,
                                      p_before timestamptz)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM native_summary_state s WHERE s.kind = p_kind FOR UPDATE;
    CASE p_kind
        WHEN 'execution_status' THEN
            DELETE FROM execution_status_hourly_summary s WHERE s.bucket >= p_from AND s.bucket < p_before;
        WHEN 'execution_creation' THEN
            DELETE FROM execution_creation_hourly_summary s WHERE s.bucket >= p_from AND s.bucket < p_before;
        WHEN 'event_volume' THEN
            DELETE FROM event_volume_hourly_summary s WHERE s.bucket >= p_from AND s.bucket < p_before;
        WHEN 'worker_status' THEN
            DELETE FROM worker_status_hourly_summary s WHERE s.bucket >= p_from AND s.bucket < p_before;
    END CASE;
    DELETE FROM native_summary_hour h
     WHERE h.kind = p_kind AND h.bucket >= p_from AND h.bucket < p_before;
    DELETE FROM native_summary_invalidation i
     WHERE i.kind = p_kind AND i.bucket >= p_from AND i.bucket < p_before;
END $$;

-- ----------------------------------------------------------------------------
-- Partition maintenance (stands in for the supervisor's "partition" and "retention" jobs)
-- ----------------------------------------------------------------------------

-- Makes sure the leaf of one UTC day exists and is registered. If DEFAULT holds rows of
-- that day they are moved into the new leaf in the same transaction (the leaf is
-- filled first, then attached), so the parent never shows a gap. Outcomes:
-- already_present, created (DEFAULT had no row of the day), moved (rows_moved > 0).
CREATE FUNCTION native_partition_ensure_day(p_parent native_partition_parent, p_day timestamptz)
RETURNS TABLE (outcome text, rows_moved bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_nsp     text;
    v_parent  text := p_parent::text;
    v_default text := p_parent::text || '_default';
    v_col     text := native_partition_key(p_parent);
    v_leaf    text := native_partition_leaf_name(p_parent, p_day);
    v_hi      timestamptz := p_day + interval '24 hours';
    v_reg     native_partition_registry;
    v_rows    bigint;
    v_kinds   native_summary_kind[];
    v_hours   timestamptz[];
BEGIN
    IF p_day IS NULL OR NOT isfinite(p_day) OR p_day <> date_trunc('day', p_day, 'UTC') THEN
        RAISE EXCEPTION 'native_partition_ensure_day: % is not a UTC midnight', p_day
            USING ERRCODE = '22023';
    END IF;
    -- the leaf goes into the parent's schema, whatever the search_path says first
    SELECT n.nspname INTO v_nsp
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = to_regclass(quote_ident(v_parent)) AND c.relkind = 'p';
    IF v_nsp IS NULL THEN
        RAISE EXCEPTION 'native_partition_ensure_day: % is not a partitioned table', v_parent
            USING ERRCODE = '55000';
    END IF;

    SELECT * INTO v_reg FROM native_partition_registry r
     WHERE r.parent = p_parent AND r.lower_bound = p_day;
    IF FOUND THEN
        IF v_reg.partition_name <> v_leaf OR v_reg.upper_bound <> v_hi THEN
            RAISE EXCEPTION 'native_partition_ensure_day: registry entry % does not match %',
                v_reg.partition_name, v_leaf USING ERRCODE = '55000';
        END IF;
        RETURN QUERY SELECT 'already_present'::text, 0::bigint;
        RETURN;
    END IF;
    IF to_regclass(format('%I.%I', v_nsp, v_leaf)) IS NOT NULL THEN
        RAISE EXCEPTION 'native_partition_ensure_day: % exists but is not registered', v_leaf
            USING ERRCODE = '55000';
    END IF;

    -- No writer may add rows of this day to DEFAULT while they are being moved.
    EXECUTE format('LOCK TABLE ONLY %I.%I IN ACCESS EXCLUSIVE MODE', v_nsp, v_default);
    EXECUTE format('SELECT count(*) FROM ONLY %I.%I WHERE %I >= $1 AND %I < $2',
                   v_nsp, v_default, v_col, v_col)
       INTO v_rows USING p_day, v_hi;

    IF v_rows = 0 THEN
        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.%I FOR VALUES FROM (%L) TO (%L)',
                       v_nsp, v_leaf, v_nsp, v_parent,
                       native_utc_literal(p_day), native_utc_literal(v_hi));
        outcome := 'created';
    ELSE
        EXECUTE format('CREATE TABLE %I.%I (LIKE %I.%I INCLUDING DEFAULTS)',
                       v_nsp, v_leaf, v_nsp, v_parent);
        -- lets ATTACH skip scanning the new leaf
        EXECUTE format('ALTER TABLE %I.%I ADD CONSTRAINT native_day_check CHECK (%I >= %L AND %I < %L)',
                       v_nsp, v_leaf, v_col, native_utc_literal(p_day), v_col, native_utc_literal(v_hi));
        EXECUTE format('WITH moved AS (DELETE FROM ONLY %I.%I WHERE %I >= $1 AND %I < $2 RETURNING *)'
                       ' INSERT INTO %I.%I SELECT * FROM moved',
                       v_nsp, v_default, v_col, v_col, v_nsp, v_leaf)
          USING p_day, v_hi;
        GET DIAGNOSTICS v_rows = ROW_COUNT;
        EXECUTE format('ALTER TABLE %I.%I ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
                       v_nsp, v_parent, v_nsp, v_leaf,
                       native_utc_literal(p_day), native_utc_literal(v_hi));
        EXECUTE format('ALTER TABLE %I.%I DROP CONSTRAINT native_day_check', v_nsp, v_leaf);
        -- The move went around the parent's statement triggers: queue its hours here,
        -- as upstream does (counts are unchanged, but a build that read DEFAULT under
        -- an older snapshot must not be trusted blindly).
        IF p_parent = 'event' THEN
            EXECUTE format('SELECT array_agg(h), array_agg(''event_volume''::native_summary_kind)'
                           ' FROM (SELECT DISTINCT date_trunc(''hour'', created, ''UTC'') AS h FROM %I.%I) t',
                           v_nsp, v_leaf) INTO v_hours, v_kinds;
        ELSIF p_parent = 'execution_history' THEN
            EXECUTE format('SELECT array_agg(h), array_agg(k) FROM ('
                           ' SELECT DISTINCT date_trunc(''hour'', time, ''UTC'') AS h,'
                           ' ''execution_status''::native_summary_kind AS k FROM %I.%I WHERE ''status'' = ANY(changed_fields)'
                           ' UNION SELECT DISTINCT date_trunc(''hour'', time, ''UTC''),'
                           ' ''execution_creation''::native_summary_kind FROM %I.%I WHERE operation = ''INSERT'') t',
                           v_nsp, v_leaf, v_nsp, v_leaf) INTO v_hours, v_kinds;
        END IF;
        IF cardinality(v_kinds) > 0 THEN
            PERFORM native_summary_note(v_kinds, v_hours);
        END IF;
        outcome := 'moved';
    END IF;

    INSERT INTO native_partition_registry (parent, partition_name, lower_bound, upper_bound)
    VALUES (p_parent, v_leaf, p_day, v_hi);
    rows_moved := v_rows;
    RETURN NEXT;
END $$;

-- Leaves for every UTC day from the day of p_from through the day of p_to, for all
-- three parents (install time: today and the next 7 days; the demo: its history).
CREATE FUNCTION native_partition_cover(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (parent native_partition_parent, partition_name text, outcome text, rows_moved bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_parent native_partition_parent;
    v_day    timestamptz;
    v_res    record;
BEGIN
    FOREACH v_parent IN ARRAY enum_range(NULL::native_partition_parent) LOOP
        v_day := date_trunc('day', p_from, 'UTC');
        WHILE v_day <= p_to LOOP
            SELECT * INTO v_res FROM native_partition_ensure_day(v_parent, v_day);
            parent := v_parent;
            partition_name := native_partition_leaf_name(v_parent, v_day);
            outcome := v_res.outcome;
            rows_moved := v_res.rows_moved;
            RETURN NEXT;
            v_day := v_day + interval '24 hours';
        END LOOP;
    END LOOP;
END $$;

-- One pass of the supervisor's partition and retention jobs at time p_now:
--   1. retention (runtime_retention_target_config: events, execution_history,
--      audit_events, worker_history): day leaves whose upper bound is at or before
--      the cutoff are dropped together with the summaries of their hours; older rows
--      elsewhere (DEFAULT, the boundary day, worker_history) are deleted through the
--      parent, whose triggers queue their hours; summaries of whole hours before the
--      cutoff are forgotten, the boundary hour stays queued and is rebuilt;
--   2. every day that still has rows in DEFAULT gets its leaf, the rows moved into it;
--   3. leaves for today and the next p_lookahead_days days (upstream default 7).
-- Returns what it did, one row per action.
CREATE FUNCTION native_partition_maintain(p_now timestamptz DEFAULT now(),
                                          p_lookahead_days integer DEFAULT 7)
RETURNS TABLE (parent text, action text, partition_name text, row_count bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_parent native_partition_parent;
    v_nsp    text;
    v_col    text;
    v_age    bigint;
    v_cutoff timestamptz;
    v_kind   native_summary_kind;
    v_reg    native_partition_registry;
    v_day    timestamptz;
    v_res    record;
    v_n      bigint;
BEGIN
    IF p_now IS NULL OR p_lookahead_days IS NULL OR p_lookahead_days < 0 THEN
        RAISE EXCEPTION 'native_partition_maintain: bad arguments' USING ERRCODE = '22023';
    END IF;
    -- 1. retention
    FOREACH v_parent IN ARRAY enum_range(NULL::native_partition_parent) LOOP
        v_col := native_partition_key(v_parent);
        SELECT n.nspname INTO v_nsp FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.oid = to_regclass(quote_ident(v_parent::text));
        SELECT t.max_age_seconds INTO v_age FROM runtime_retention_target_config t
         WHERE t.target = CASE v_parent WHEN 'event' THEN 'events'
                                        WHEN 'execution_history' THEN 'execution_history'
                                        ELSE 'audit_events' END;
        CONTINUE WHEN v_age IS NULL;
        v_cutoff := p_now - v_age * interval '1 second';
        FOR v_reg IN SELECT * FROM native_partition_registry r
                      WHERE r.parent = v_parent AND r.upper_bound <= v_cutoff
                      ORDER BY r.lower_bound LOOP
            FOREACH v_kind IN ARRAY native_summary_kinds_of(v_parent::text) LOOP
                PERFORM native_summary_forget(v_kind, v_reg.lower_bound, v_reg.upper_bound);
            END LOOP;
            EXECUTE format('DROP TABLE %I.%I', v_nsp, v_reg.partition_name);
            DELETE FROM native_partition_registry r WHERE r.id = v_reg.id;
            parent := v_parent; action := 'dropped'; partition_name := v_reg.partition_name;
            row_count := NULL;
            RETURN NEXT;
        END LOOP;
        EXECUTE format('DELETE FROM %I.%I WHERE %I < $1', v_nsp, v_parent::text, v_col) USING v_cutoff;
        GET DIAGNOSTICS v_n = ROW_COUNT;
        IF v_n > 0 THEN
            parent := v_parent; action := 'deleted'; partition_name := NULL; row_count := v_n;
            RETURN NEXT;
        END IF;
        FOREACH v_kind IN ARRAY native_summary_kinds_of(v_parent::text) LOOP
            PERFORM native_summary_forget(v_kind, '-infinity', date_trunc('hour', v_cutoff, 'UTC'));
        END LOOP;
    END LOOP;
    SELECT t.max_age_seconds INTO v_age FROM runtime_retention_target_config t
     WHERE t.target = 'worker_history';
    IF v_age IS NOT NULL THEN
        v_cutoff := p_now - v_age * interval '1 second';
        DELETE FROM worker_history h WHERE h.time < v_cutoff;
        GET DIAGNOSTICS v_n = ROW_COUNT;
        IF v_n > 0 THEN
            parent := 'worker_history'; action := 'deleted'; partition_name := NULL; row_count := v_n;
            RETURN NEXT;
        END IF;
        PERFORM native_summary_forget('worker_status', '-infinity', date_trunc('hour', v_cutoff, 'UTC'));
    END IF;

    FOREACH v_parent IN ARRAY enum_range(NULL::native_partition_parent) LOOP
        v_col := native_partition_key(v_parent);
        SELECT n.nspname INTO v_nsp FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.oid = to_regclass(quote_ident(v_parent::text));
        -- 2. whole days waiting in DEFAULT
        FOR v_day IN EXECUTE format('SELECT DISTINCT date_trunc(''day'', %I, ''UTC'') FROM ONLY %I.%I ORDER BY 1',
                                    v_col, v_nsp, v_parent::text || '_default') LOOP
            SELECT * INTO v_res FROM native_partition_ensure_day(v_parent, v_day);
            parent := v_parent; action := v_res.outcome;
            partition_name := native_partition_leaf_name(v_parent, v_day); row_count := v_res.rows_moved;
            RETURN NEXT;
        END LOOP;
        -- 3. today and the days ahead
        FOR i IN 0 .. p_lookahead_days LOOP
            v_day := date_trunc('day', p_now, 'UTC') + i * interval '24 hours';
            SELECT * INTO v_res FROM native_partition_ensure_day(v_parent, v_day);
            IF v_res.outcome <> 'already_present' THEN
                parent := v_parent; action := v_res.outcome;
                partition_name := native_partition_leaf_name(v_parent, v_day); row_count := v_res.rows_moved;
                RETURN NEXT;
            END IF;
        END LOOP;
    END LOOP;

    UPDATE native_maintenance_schedule s
       SET last_success = p_now, next_due = p_now + interval '1 hour'
     WHERE s.job IN ('partition', 'retention');
END $$;

-- ----------------------------------------------------------------------------
-- Summary builder (stands in for the supervisor's "summary" job)
-- ----------------------------------------------------------------------------

-- Builds, for each kind, the hours that have ended by p_now and are either queued in
-- native_summary_invalidation or missing from the ledger, within the source's raw
-- retention (runtime_retention_target_config; when kept forever, from the oldest source
-- row, at least the last 24 hours). Queued hours come first, oldest first, then missing
-- hours newest first; p_max_hours caps the hours per kind (NULL: no cap). For the hours
-- it builds it replaces every group, records the ledger entry and deletes exactly the
-- invalidations it saw before aggregating: a change committed later keeps its hour
-- queued. The hour containing p_now is never built (its invalidations stay queued).
-- Upstream builds one hour per REPEATABLE READ transaction with the source parent
-- locked in ACCESS SHARE mode first; under READ COMMITTED this function can only err
-- towards leaving an hour queued.
CREATE FUNCTION native_summary_build(p_now timestamptz DEFAULT now(), p_max_hours integer DEFAULT NULL)
RETURNS TABLE (kind native_summary_kind, hours_built bigint, invalidations_cleared bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_kind  native_summary_kind;
    v_end   timestamptz := date_trunc('hour', p_now, 'UTC');
    v_age   bigint;
    v_first timestamptz;
    v_lower timestamptz;
    v_hours timestamptz[];
    v_ids   bigint[];
    v_lo    timestamptz;
    v_hi    timestamptz;
    v_acked bigint;
BEGIN
    IF p_now IS NULL OR p_max_hours < 0 THEN
        RAISE EXCEPTION 'native_summary_build: bad arguments' USING ERRCODE = '22023';
    END IF;
    FOREACH v_kind IN ARRAY enum_range(NULL::native_summary_kind) LOOP
        PERFORM 1 FROM native_summary_state s WHERE s.kind = v_kind FOR UPDATE;
        UPDATE native_summary_state s SET updated = clock_timestamp() WHERE s.kind = v_kind;

        SELECT t.max_age_seconds INTO v_age FROM runtime_retention_target_config t
         WHERE t.target = CASE v_kind WHEN 'event_volume' THEN 'events'
                                      WHEN 'worker_status' THEN 'worker_history'
                                      ELSE 'execution_history' END;
        IF v_age IS NOT NULL THEN
            v_lower := date_trunc('hour', p_now - v_age * interval '1 second', 'UTC');
        ELSE
            v_first := CASE v_kind
                WHEN 'execution_status' THEN (SELECT min(h.time) FROM execution_history h
                                               WHERE 'status' = ANY(h.changed_fields))
                WHEN 'execution_creation' THEN (SELECT min(h.time) FROM execution_history h
                                                 WHERE h.operation = 'INSERT')
                WHEN 'event_volume' THEN (SELECT min(e.created) FROM event e)
                ELSE (SELECT min(h.time) FROM worker_history h WHERE 'status' = ANY(h.changed_fields))
            END;
            v_lower := least(v_end - interval '24 hours',
                             coalesce(date_trunc('hour', v_first, 'UTC'), v_end));
        END IF;

        SELECT array_agg(c.bucket ORDER BY c.pri, c.ord) INTO v_hours
          FROM (SELECT c0.* FROM (
                    SELECT DISTINCT i.bucket, 0 AS pri, extract(epoch FROM i.bucket) AS ord
                      FROM native_summary_invalidation i
                     WHERE i.kind = v_kind AND i.bucket >= v_lower AND i.bucket < v_end
                    UNION ALL
                    SELECT g.bucket, 1, -extract(epoch FROM g.bucket)
                      FROM generate_series(v_lower, v_end - interval '1 hour', interval '1 hour') AS g (bucket)
                     WHERE NOT EXISTS (SELECT 1 FROM native_summary_hour h
                                        WHERE h.kind = v_kind AND h.bucket = g.bucket)
                       AND NOT EXISTS (SELECT 1 FROM native_summary_invalidation i
                                        WHERE i.kind = v_kind AND i.bucket = g.bucket)
                ) c0 ORDER BY c0.pri, c0.ord LIMIT p_max_hours) c;

        IF v_hours IS NULL THEN
            kind := v_kind; hours_built := 0; invalidations_cleared := 0;
            RETURN NEXT;
            CONTINUE;
        END IF;
        -- what is queued for these hours now; only these rows are acknowledged below
        SELECT array_agg(i.id) INTO v_ids FROM native_summary_invalidation i
         WHERE i.kind = v_kind AND i.bucket = ANY(v_hours);
        SELECT min(b), max(b) + interval '1 hour' INTO v_lo, v_hi FROM unnest(v_hours) AS b;

        -- Rows go in hour by hour (ORDER BY 1), as a supervisor that builds each
        -- hour when it ends leaves them: a read of some hours touches their pages only.
        CASE v_kind
        WHEN 'execution_status' THEN
            DELETE FROM execution_status_hourly_summary s WHERE s.bucket = ANY(v_hours);
            INSERT INTO execution_status_hourly_summary (bucket, action_ref, new_status, transition_count)
            SELECT date_trunc('hour', h.time, 'UTC'), h.entity_ref, h.new_values->>'status', count(*)
              FROM execution_history h
             WHERE h.time >= v_lo AND h.time < v_hi AND 'status' = ANY(h.changed_fields)
               AND date_trunc('hour', h.time, 'UTC') = ANY(v_hours)
             GROUP BY 1, 2, 3 ORDER BY 1;
        WHEN 'execution_creation' THEN
            DELETE FROM execution_creation_hourly_summary s WHERE s.bucket = ANY(v_hours);
            INSERT INTO execution_creation_hourly_summary (bucket, action_ref, execution_count)
            SELECT date_trunc('hour', h.time, 'UTC'), h.entity_ref, count(*)
              FROM execution_history h
             WHERE h.time >= v_lo AND h.time < v_hi AND h.operation = 'INSERT'
               AND date_trunc('hour', h.time, 'UTC') = ANY(v_hours)
             GROUP BY 1, 2 ORDER BY 1;
        WHEN 'event_volume' THEN
            DELETE FROM event_volume_hourly_summary s WHERE s.bucket = ANY(v_hours);
            INSERT INTO event_volume_hourly_summary (bucket, trigger_ref, event_count)
            SELECT date_trunc('hour', e.created, 'UTC'), e.trigger_ref, count(*)
              FROM event e
             WHERE e.created >= v_lo AND e.created < v_hi
               AND date_trunc('hour', e.created, 'UTC') = ANY(v_hours)
             GROUP BY 1, 2 ORDER BY 1;
        WHEN 'worker_status' THEN
            DELETE FROM worker_status_hourly_summary s WHERE s.bucket = ANY(v_hours);
            INSERT INTO worker_status_hourly_summary (bucket, worker_name, new_status, transition_count)
            SELECT date_trunc('hour', h.time, 'UTC'), h.entity_ref, h.new_values->>'status', count(*)
              FROM worker_history h
             WHERE h.time >= v_lo AND h.time < v_hi AND 'status' = ANY(h.changed_fields)
               AND date_trunc('hour', h.time, 'UTC') = ANY(v_hours)
             GROUP BY 1, 2, 3 ORDER BY 1;
        END CASE;

        INSERT INTO native_summary_hour (kind, bucket, refreshed_at)
        SELECT v_kind, b, clock_timestamp() FROM unnest(v_hours) AS b
            ON CONFLICT ON CONSTRAINT native_summary_hour_pkey
            DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at;
        DELETE FROM native_summary_invalidation i WHERE i.id = ANY(v_ids);
        GET DIAGNOSTICS v_acked = ROW_COUNT;

        kind := v_kind; hours_built := cardinality(v_hours); invalidations_cleared := v_acked;
        RETURN NEXT;
    END LOOP;
    UPDATE native_maintenance_schedule s
       SET last_success = p_now, next_due = p_now + interval '300 seconds'
     WHERE s.job = 'summary';
END $$;

-- Leaves for today and the next 7 UTC days, as upstream's migration creates them.
DO $$
BEGIN
    PERFORM native_partition_cover(now(), now() + interval '168 hours');
END $$;

-- demo-workload.sql — a deterministic Attune history and a live simulator, for
-- `attune-top --demo` and the test suite. NEVER load this into a real Attune database:
-- attune_demo.populate() empties the Attune tables before writing.
--
-- Load it after attune-plain.sql (or attune-timescale.sql or attune-native.sql) with the
-- Attune schema first on the search_path, e.g.
--
--     CREATE SCHEMA attune; SET search_path = attune, public;
--     -- attune-plain.sql, then this file, then:
--     SELECT attune_demo.populate();       -- ~8 days of history ending now
--     SELECT attune_demo.tick(true);       -- once a second, from the simulator
--
-- Everything lives in the schema attune_demo. Functions that touch Attune tables carry
-- `SET search_path FROM CURRENT`: they keep the search_path this file was loaded with,
-- so they work whatever the caller's search_path is. The small pure helpers
-- (u, pick_*, result_for) only call built-ins and have no SET clause on purpose: a SET
-- clause would stop PostgreSQL from inlining them into populate()'s big set-based
-- statements.
--
-- One PQexec-able string: no psql meta-commands, no COPY FROM STDIN.

CREATE SCHEMA attune_demo;
COMMENT ON SCHEMA attune_demo IS 'attune-top demo workload: populate() and tick()';

-- ============================================================================
-- CATALOGS: the actions, rules and workers of the simulated installation
-- ============================================================================

-- Actions. id is the popularity rank: weight 1/id^1.1 (Zipf-like). base_s is the
-- median run time, fail_p the failure share, timeout_s the action timeout. Some refs
-- are deliberately hostile for renderers and CSV writers: a double quote and a comma,
-- CJK (double-width) text, formula-looking first characters, a very long name.
CREATE TABLE attune_demo.action_catalog (
    id        integer PRIMARY KEY,
    ref       text    NOT NULL UNIQUE,
    base_s    float8  NOT NULL,
    fail_p    float8  NOT NULL,
    timeout_s integer NOT NULL,
    cum_lo    float8,  -- [cum_lo, cum_hi) is this action's slice of [0, 1)
    cum_hi    float8
);

INSERT INTO attune_demo.action_catalog (id, ref, base_s, fail_p, timeout_s) VALUES
    ( 1, 'core.echo',                    0.3, 0.002,   60),
    ( 2, 'core.http_request',            1.2, 0.03,    60),
    ( 3, 'monitoring.check_disk',        2.0, 0.01,   120),
    ( 4, 'slack.post_message',           0.8, 0.02,    60),
    ( 5, 'k8s.scale_deployment',         6.0, 0.03,   300),
    ( 6, 'ops."quoted",action',          3.0, 0.05,   120),
    ( 7, 'ops.restart_service',         12.0, 0.04,   300),
    ( 8, 'github.create_issue',          1.5, 0.02,    60),
    ( 9, '数据.同步',                    45.0, 0.06,   600),
    (10, 'db.vacuum_analyze',           90.0, 0.02,  1800),
    (11, 'linux.run_script',             4.0, 0.08,   300),
    (12, '=cmd.exec',                    2.0, 0.10,   120),
    (13, 'aws.ec2_describe',             2.5, 0.02,    60),
    (14, 'backup.snapshot_volume',     180.0, 0.03,  1800),
    (15, 'analytics.refresh_materialized_views_for_the_quarterly_revenue_dashboard',
                                       240.0, 0.04,   900),
    (16, 'ansible.playbook',            75.0, 0.07,   900),
    (17, 'jira.transition_ticket',       1.1, 0.02,    60),
    (18, 'pagerduty.trigger_incident',   0.9, 0.01,    60),
    (19, 'email.send',                   0.7, 0.01,    60),
    (20, '@at.ref',                      1.0, 0.05,    60),
    (21, 'docker.prune_images',         25.0, 0.02,   600),
    (22, 'terraform.plan',              40.0, 0.09,   600),
    (23, 'vault.rotate_secret',          5.0, 0.02,   120),
    (24, 'ci.trigger_build',             3.0, 0.05,   120),
    (25, 'dns.update_record',            2.0, 0.03,    60),
    (26, 'cert.renew',                  15.0, 0.05,   300),
    (27, '-neg.test',                    1.5, 0.15,    60),
    (28, 'logs.rotate',                  8.0, 0.01,   300),
    (29, 'cache.flush',                  0.5, 0.01,    60),
    (30, 'metrics.rollup',              30.0, 0.02,   600),
    (31, 'sensor.poll_queue',            0.4, 0.01,    60),
    (32, 'report.daily_digest',         60.0, 0.03,   600),
    (33, 'ml.retrain_model',           900.0, 0.08,  3600),
    (34, 'etl.nightly_load',           600.0, 0.05,  3600),
    (35, 'security.scan_ports',        120.0, 0.04,   600),
    (36, 'chatops.reply',                0.6, 0.01,    60),
    (37, '+sum.calc',                    0.2, 0.02,    60);

UPDATE attune_demo.action_catalog a
   SET cum_lo = s.lo, cum_hi = s.hi
  FROM (SELECT id,
               (sum(power(id, -1.1)) OVER (ORDER BY id) - power(id, -1.1))
                   / sum(power(id, -1.1)) OVER () AS lo,
               sum(power(id, -1.1)) OVER (ORDER BY id) / sum(power(id, -1.1)) OVER () AS hi
          FROM attune_demo.action_catalog) s
 WHERE a.id = s.id;
-- Close the last slice exactly at 1 so rounding can never leave a gap.
UPDATE attune_demo.action_catalog SET cum_hi = 1
 WHERE id = (SELECT max(id) FROM attune_demo.action_catalog);

-- Rules: trigger -> action. id is the popularity rank (weight 1/id). trigger_id and
-- sensor_id stand in for the ids of Attune's trigger and sensor rows.
CREATE TABLE attune_demo.rule_catalog (
    id          integer PRIMARY KEY,
    ref         text    NOT NULL UNIQUE,
    trigger_id  integer NOT NULL,
    trigger_ref text    NOT NULL,
    sensor_id   integer NOT NULL,
    sensor_ref  text    NOT NULL,
    action_id   integer NOT NULL REFERENCES attune_demo.action_catalog (id),
    cum_lo      float8,
    cum_hi      float8
);

INSERT INTO attune_demo.rule_catalog (id, ref, trigger_id, trigger_ref, sensor_id, sensor_ref, action_id)
SELECT v.id, v.ref, v.trigger_id, v.trigger_ref, v.trigger_id, v.sensor_ref, a.id
  FROM (VALUES
    ( 1, 'core.echo_on_interval',        1, 'core.intervaltimer', 'core.interval_timer_sensor',     'core.echo'),
    ( 2, 'webhook.forward_http',         3, 'core.webhook',       'core.webhook_receiver',          'core.http_request'),
    ( 3, 'monitoring.disk_check',        1, 'core.intervaltimer', 'core.interval_timer_sensor',     'monitoring.check_disk'),
    ( 4, 'monitoring.alert_to_slack',    4, 'monitoring.alert',   'monitoring.alertmanager_sensor', 'slack.post_message'),
    ( 5, 'k8s.autoscale_on_hpa',         6, 'k8s.hpa_event',      'k8s.event_watcher',              'k8s.scale_deployment'),
    ( 6, 'ops.rule,"quoted"',            4, 'monitoring.alert',   'monitoring.alertmanager_sensor', 'ops."quoted",action'),
    ( 7, 'monitoring.restart_on_alert',  4, 'monitoring.alert',   'monitoring.alertmanager_sensor', 'ops.restart_service'),
    ( 8, 'github.issue_on_push_failure', 5, 'github.push',        'github.webhook_sensor',          'github.create_issue'),
    ( 9, '数据.nightly_sync',             2, 'core.crontimer',     'core.cron_sensor',               '数据.同步'),
    (10, 'db.nightly_vacuum',            2, 'core.crontimer',     'core.cron_sensor',               'db.vacuum_analyze'),
    (11, '=rule.formula',                3, 'core.webhook',       'core.webhook_receiver',          '=cmd.exec'),
    (12, 'backup.hourly_snapshot',       2, 'core.crontimer',     'core.cron_sensor',               'backup.snapshot_volume'),
    (13, 'github.build_on_push',         5, 'github.push',        'github.webhook_sensor',          'ci.trigger_build'),
    (14, 'pagerduty.escalate_alert',     4, 'monitoring.alert',   'monitoring.alertmanager_sensor', 'pagerduty.trigger_incident')
  ) AS v (id, ref, trigger_id, trigger_ref, sensor_ref, action_ref)
  JOIN attune_demo.action_catalog a ON a.ref = v.action_ref;

UPDATE attune_demo.rule_catalog r
   SET cum_lo = s.lo, cum_hi = s.hi
  FROM (SELECT id,
               (sum(1.0 / id) OVER (ORDER BY id) - 1.0 / id) / sum(1.0 / id) OVER () AS lo,
               sum(1.0 / id) OVER (ORDER BY id) / sum(1.0 / id) OVER () AS hi
          FROM attune_demo.rule_catalog) s
 WHERE r.id = s.id;
UPDATE attune_demo.rule_catalog SET cum_hi = 1
 WHERE id = (SELECT max(id) FROM attune_demo.rule_catalog);

-- Workers. kind drives both populate() and tick():
--   normal          heartbeats every few seconds, restarts once a day (03:xx UTC)
--   busy            like normal, plus active <-> busy spells in the afternoon
--   flapping        active <-> error/inactive every ~2 h, every ~8 min in the last 6 h
--   stale           still 'active' but its heartbeat stopped 23 min before the end
--   retired         went 'inactive' two days ago and stayed so
--   decommissioned  deleted three days ago (history only, no live row)
-- *_at columns are offsets from UTC midnight of the anchor's day. old_name/rename_at:
-- the worker was renamed (history rows before that carry the old name).
CREATE TABLE attune_demo.worker_catalog (
    id          integer PRIMARY KEY,
    name        text    NOT NULL UNIQUE,
    kind        text    NOT NULL,
    worker_type text    NOT NULL,
    worker_role text    NOT NULL,
    host        text    NOT NULL,
    port        integer,
    zone        text    NOT NULL,
    caps        jsonb   NOT NULL,
    old_name    text,
    rename_at   interval,
    new_port    integer,
    port_at     interval,
    caps2       jsonb,
    caps_at     interval,
    reg_at      interval,  -- registration later than the start of the history
    end_at      interval   -- retired / decommissioned at
);

INSERT INTO attune_demo.worker_catalog
    (id, name, kind, worker_type, worker_role, host, port, zone, caps,
     old_name, rename_at, new_port, port_at, caps2, caps_at, reg_at, end_at)
VALUES
    ( 1, 'worker-action-01', 'normal', 'local', 'action', 'attune-worker-01.prod.internal', 8080, 'us-east-1a',
      '{"runtimes": ["python", "shell"], "max_concurrent_executions": 10}',
      NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    ( 2, 'worker-action-02', 'normal', 'local', 'action', 'attune-worker-02.prod.internal', 8080, 'us-east-1b',
      '{"runtimes": ["python", "shell"], "max_concurrent_executions": 10}',
      NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    ( 3, 'worker-action-03', 'busy', 'container', 'action', 'attune-worker-03', 8080, 'us-east-1c',
      '{"runtimes": ["python", "shell", "node"], "max_concurrent_executions": 20}',
      NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    ( 4, 'worker-remote-eu-01', 'normal', 'remote', 'action', 'eu1.workers.example.net', 8443, 'eu-west-1a',
      '{"runtimes": ["python"], "max_concurrent_executions": 4}',
      'remote-eu-1', '-4 days 11:00', 9443, '-2 days 11:30', NULL, NULL, NULL, NULL),
    ( 5, 'worker-sensor-01', 'normal', 'local', 'sensor', 'attune-sensor-01.prod.internal', NULL, 'us-east-1a',
      '{"runtimes": ["python", "shell"], "max_concurrent_sensors": 10}',
      NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    ( 6, 'worker-sensor-02', 'normal', 'container', 'sensor', 'attune-sensor-02', NULL, 'us-east-1b',
      '{"runtimes": ["python"], "max_concurrent_sensors": 10}',
      NULL, NULL, NULL, NULL, '{"runtimes": ["python", "node"], "max_concurrent_sensors": 16}', '-1 days 09:00', NULL, NULL),
    ( 7, 'worker-flaky-07', 'flapping', 'local', 'action', 'attune-worker-07.prod.internal', 8080, 'us-east-1c',
      '{"runtimes": ["python", "shell"], "max_concurrent_executions": 10}',
      NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    ( 8, 'worker-stale-03', 'stale', 'remote', 'action', 'dc2-worker-03.example.net', 8443, 'dc2',
      '{"runtimes": ["shell"], "max_concurrent_executions": 4}',
      NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    ( 9, 'edge-"west",東京-01', 'normal', 'remote', 'hybrid', 'edge-tokyo-01.example.jp', 8443, 'ap-northeast-1a',
      '{"runtimes": ["python", "shell"], "max_concurrent_executions": 4, "max_concurrent_sensors": 4}',
      NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (10, 'worker-gpu-01', 'busy', 'local', 'action', 'gpu-01.prod.internal', 8080, 'us-east-1a',
      '{"runtimes": ["python"], "gpus": 4, "max_concurrent_executions": 2}',
      NULL, NULL, NULL, NULL, NULL, NULL, '-3 days 08:17', NULL),
    (11, 'worker-retired-09', 'retired', 'local', 'action', 'attune-worker-09.prod.internal', 8080, 'us-east-1b',
      '{"runtimes": ["python", "shell"], "max_concurrent_executions": 10}',
      NULL, NULL, NULL, NULL, NULL, NULL, NULL, '-2 days 05:13'),
    (12, 'worker-decom-05', 'decommissioned', 'container', 'action', 'attune-worker-05', 8080, 'us-east-1a',
      '{"runtimes": ["python"], "max_concurrent_executions": 10}',
      NULL, NULL, NULL, NULL, NULL, NULL, NULL, '-3 days 14:00');

-- What tick() still has to do with each in-flight execution: the planned outcome
-- (completed, failed, timeout, cancelled, abandoned, or early_fail = fails while
-- still scheduled), when it may start running, and how long it runs.
CREATE TABLE attune_demo.plan (
    execution_id bigint PRIMARY KEY,
    outcome      text   NOT NULL,
    start_after  timestamptz,  -- scheduled -> running (early_fail: -> failed) not before
    run_s        float8 NOT NULL,
    finish_at    timestamptz   -- running -> terminal (cancelled: -> canceling); NULL = start + run_s
);

-- ============================================================================
-- PURE HELPERS (inlinable SQL; deterministic except where the caller passes random())
-- ============================================================================

-- Uniform pseudo-random number in [0, 1) from a key and a salt: the deterministic
-- replacement for random() in populate().
CREATE FUNCTION attune_demo.u(k bigint, salt bigint) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ((hashint8extended(k, salt) >> 11) & 9007199254740991)::float8 / 9007199254740992.0 $$;

-- Seconds between 'scheduled' and 'running': usually a moment, 1.5 % queue for minutes.
CREATE FUNCTION attune_demo.pick_wait(u float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN u < 0.015 THEN 20 + 880 * (u / 0.015) ELSE 0.1 + 2.4 * u END $$;

-- Run time in seconds: base x e^[-1, 1), and 3 % of runs take 6 x longer.
CREATE FUNCTION attune_demo.pick_duration(base float8, u1 float8, u2 float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT greatest(0.05, base * exp(2 * (u1 - 0.5)) * CASE WHEN u2 > 0.97 THEN 6 ELSE 1 END) $$;

-- Outcome of a run from one uniform number: rare abandoned/early failures/cancels/hangs,
-- the action's failure share, and a timeout when the run is longer than the limit.
CREATE FUNCTION attune_demo.pick_outcome(u float8, fail_p float8, dur float8, timeout_s float8)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN u < 0.002 THEN 'abandoned'
        WHEN u < 0.006 THEN 'early_fail'
        WHEN u < 0.016 THEN 'cancelled'
        WHEN u < 0.024 THEN 'timeout'
        WHEN u < 0.024 + fail_p THEN 'failed'
        WHEN dur > timeout_s THEN 'timeout'
        ELSE 'completed'
    END
$$;

-- The result document an execution ends with (NULL for abandoned). k varies the
-- content; every 7th successful result carries a large output so digests differ in size.
CREATE FUNCTION attune_demo.result_for(outcome text, action_ref text, ms bigint, timeout_s integer, k bigint)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE outcome
        WHEN 'completed' THEN
            jsonb_build_object('exit_code', 0, 'stdout', action_ref || ': ok', 'duration_ms', ms)
            || CASE WHEN abs(k) % 7 = 0
                    THEN jsonb_build_object('output', repeat('0123456789abcdef', (100 + abs(k) % 400)::int))
                    ELSE '{}'::jsonb END
        WHEN 'failed' THEN
            jsonb_build_object('exit_code', 1 + abs(k) % 125, 'duration_ms', ms,
                'error', action_ref || ' failed: ' || (ARRAY['connection refused', 'exit status 1',
                         'permission denied', 'upstream returned HTTP 503'])[1 + (abs(k) % 4)::int])
        WHEN 'early_fail' THEN
            jsonb_build_object('error', 'no worker available for runtime python')
        WHEN 'timeout' THEN
            jsonb_build_object('error', format('execution timed out after %s s', timeout_s),
                               'timeout_seconds', timeout_s)
        WHEN 'cancelled' THEN
            jsonb_build_object('error', 'execution cancelled by user', 'cancelled_by', 'admin')
    END
$$;

-- ============================================================================
-- populate(anchor, days)
-- ============================================================================
-- Empties the Attune tables and writes `days` days of history up to the hour of
-- `anchor` plus that hour up to now(): everything is at or before
--     cutoff = least(now(), UTC hour of anchor + 1 hour).
-- The data is a pure function of (anchor, days, cutoff): hashes of row keys replace
-- random(), ids are assigned in creation order. With the default anchor (the current
-- UTC hour) the history ends at now().
--
-- The history triggers stamp NOW(), so they are switched off and the history rows
-- are written directly, in exactly the shape the triggers produce, with the times
-- they would have had. Live rows are the state at the cutoff; executions still in
-- flight get a row in attune_demo.plan so that tick() carries them on.
--
-- Content: ~2000 executions a day with a daily curve (peak 14:00 UTC, quieter
-- weekends) and an alert storm 6-4 hours before the anchor (failing restarts);
-- event -> enforcement -> execution chains (62 %), manual runs (38 %) and events no
-- rule matched; deleted executions; 12 workers (see worker_catalog).
-- Returns a summary object (counts, cutoff, ids of the deleted executions).
CREATE FUNCTION attune_demo.populate(
    anchor timestamptz DEFAULT date_bin('1 hour', now(), TIMESTAMPTZ '2000-01-01 00:00:00+00'),
    days   integer     DEFAULT 8)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path FROM CURRENT
SET TimeZone = 'UTC'  -- timestamps inside history JSON are rendered like on a UTC server
SET jit = off         -- JIT-compiling the big statements below costs seconds, running them does not
AS $populate$
DECLARE
    v_origin  CONSTANT timestamptz := TIMESTAMPTZ '2000-01-01 00:00:00+00';
    v_a0      timestamptz;  -- start of the anchor's UTC hour
    v_d0      timestamptz;  -- UTC midnight of the anchor's day
    v_start   timestamptz;  -- start of the history
    v_cut     timestamptz;  -- nothing happens after this
    v_apick   integer[];    -- 1000 slots of action ids, in proportion to popularity
    v_rpick   integer[];    -- same for rules
    v_storm   integer;      -- rule of the alert storm
    v_delkey  bigint;       -- slot key of the execution that is always deleted
    v_altered boolean := false;
    v_clock   timestamptz := clock_timestamp();
    v_summary jsonb;
BEGIN
    IF days IS NULL OR days < 1 OR days > 90 THEN
        RAISE EXCEPTION 'attune_demo.populate: days must be between 1 and 90, not %', days;
    END IF;
    IF anchor IS NULL THEN
        RAISE EXCEPTION 'attune_demo.populate: anchor must not be NULL';
    END IF;
    v_a0 := date_bin('1 hour', anchor, v_origin);
    v_d0 := date_bin('1 day', anchor, v_origin);
    v_start := v_a0 - days * interval '1 day';
    v_cut := least(now(), v_a0 + interval '1 hour');
    v_delkey := (extract(epoch FROM v_a0 - interval '3 hours') / 3600)::bigint * 1000 + 1;

    -- Switch the history triggers off for this transaction. session_replication_role
    -- works on TimescaleDB hypertables too (ALTER TABLE ... DISABLE TRIGGER does not
    -- on older versions) but needs a superuser; the table owner gets the ALTER TABLE.
    BEGIN
        PERFORM set_config('session_replication_role', 'replica', true);
    EXCEPTION WHEN insufficient_privilege THEN
        ALTER TABLE execution DISABLE TRIGGER execution_history_trigger;
        ALTER TABLE worker DISABLE TRIGGER worker_history_trigger;
        v_altered := true;
    END;

    TRUNCATE event, enforcement, execution, worker, execution_history, worker_history,
             attune_demo.plan;

    -- Native installs (sql/attune-native.sql): a day leaf for every day of the history,
    -- and no summary, ledger entry or queued hour left from an earlier population (the
    -- TRUNCATE above fires no trigger). Call native_summary_build() afterwards.
    IF to_regclass('native_partition_registry') IS NOT NULL THEN
        TRUNCATE native_summary_invalidation, native_summary_hour,
                 execution_status_hourly_summary, execution_creation_hourly_summary,
                 event_volume_hourly_summary, worker_status_hourly_summary;
        PERFORM native_partition_cover(v_start, greatest(v_cut, now()));
    END IF;

    SELECT array_agg(a.id ORDER BY g) INTO v_apick
      FROM generate_series(0, 999) AS g
      JOIN attune_demo.action_catalog a ON (g + 0.5) / 1000 >= a.cum_lo AND (g + 0.5) / 1000 < a.cum_hi;
    SELECT array_agg(r.id ORDER BY g) INTO v_rpick
      FROM generate_series(0, 999) AS g
      JOIN attune_demo.rule_catalog r ON (g + 0.5) / 1000 >= r.cum_lo AND (g + 0.5) / 1000 < r.cum_hi;
    SELECT id INTO v_storm FROM attune_demo.rule_catalog WHERE ref = 'monitoring.restart_on_alert';

    -- left over from an earlier call in this session (checked first: DROP ... IF EXISTS
    -- would send a notice while the session has no temporary schema yet)
    IF to_regclass('pg_temp._demo_x') IS NOT NULL THEN
        DROP TABLE IF EXISTS pg_temp._demo_x, pg_temp._demo_e, pg_temp._demo_wev, pg_temp._demo_ws;
    END IF;

    -- ------------------------------------------------------------------
    -- 1. One row per slot (event and/or execution) with every time of its life.
    --    Slot keys are absolute (UTC hour number * 1000 + n), so an hour's
    --    traffic does not depend on where the window starts.
    -- ------------------------------------------------------------------
    CREATE TEMP TABLE _demo_x AS
    WITH hrs AS (
        SELECT hs AS hour_start,
               (extract(epoch FROM hs) / 3600)::bigint AS hkey,
               extract(hour FROM hs AT TIME ZONE 'UTC')::integer AS hod,
               extract(isodow FROM hs AT TIME ZONE 'UTC')::integer AS dow,
               (hs >= v_a0 - interval '6 hours' AND hs < v_a0 - interval '4 hours') AS storm
          FROM generate_series(v_start, v_a0, interval '1 hour') AS hs
    ), cnt AS (
        SELECT h.*,
               round(140 * (0.35 + 0.65 * (0.5 + 0.5 * cos(2 * pi() * (h.hod - 14) / 24.0)))
                         * CASE WHEN h.dow >= 6 THEN 0.6 ELSE 1.0 END
                         * (0.85 + 0.3 * attune_demo.u(h.hkey, 11)))::integer AS n_base
          FROM hrs h
    ), slot AS (
        SELECT c.hour_start, c.hkey * 1000 + k AS skey, 'regular' AS src
          FROM cnt c, generate_series(1, c.n_base) AS k
        UNION ALL  -- the alert storm: extra monitoring.alert -> ops.restart_service
        SELECT c.hour_start, c.hkey * 1000 + 400 + k, 'storm'
          FROM cnt c, generate_series(1, CASE WHEN c.storm THEN 150 ELSE 0 END) AS k
        UNION ALL  -- events no rule matched
        SELECT c.hour_start, c.hkey * 1000 + 800 + k, 'orphan'
          FROM cnt c, generate_series(1, c.n_base / 10) AS k
    ), kinded AS (
        SELECT s.skey, s.src,
               CASE WHEN s.src = 'orphan' THEN 'orphan'
                    WHEN s.src = 'storm' THEN 'rule'
                    WHEN s.skey = v_delkey THEN 'manual'
                    WHEN attune_demo.u(s.skey, 2) < 0.62 THEN 'rule'
                    ELSE 'manual' END AS kind,
               s.hour_start + attune_demo.u(s.skey, 1) * interval '3600 seconds' AS t_base
          FROM slot s
    ), picked AS (
        SELECT k.*,
               CASE WHEN k.src = 'storm' THEN v_storm
                    WHEN k.kind = 'rule' THEN v_rpick[1 + floor(attune_demo.u(k.skey, 3) * 1000)::integer]
               END AS rule_id,
               CASE WHEN k.skey = v_delkey THEN 1  -- core.echo: short, done well before deletion
                    WHEN k.kind = 'manual' THEN v_apick[1 + floor(attune_demo.u(k.skey, 3) * 1000)::integer]
               END AS manual_action
          FROM kinded k
    ), chained AS (
        SELECT p.skey, p.src, p.kind, p.t_base,
               r.id AS rule_id, r.ref AS rule_ref,
               CASE WHEN p.kind = 'orphan' THEN 7 ELSE r.trigger_id END AS trigger_id,
               CASE WHEN p.kind = 'orphan' THEN 'sensor.file_watch' ELSE r.trigger_ref END AS trigger_ref,
               CASE WHEN p.kind = 'orphan' THEN 7 ELSE r.sensor_id END AS sensor_id,
               CASE WHEN p.kind = 'orphan' THEN 'sensor.file_watcher' ELSE r.sensor_ref END AS sensor_ref,
               a.id AS action_id, a.ref AS action_ref, a.timeout_s,
               CASE WHEN p.src = 'storm' THEN 0.35 ELSE a.fail_p END AS fail_p,
               attune_demo.pick_duration(a.base_s, attune_demo.u(p.skey, 7), attune_demo.u(p.skey, 8)) AS dur,
               p.kind = 'rule' AND attune_demo.u(p.skey, 5) < 0.03 AS disabled,
               -- event -> enforcement 5-40 ms later -> resolved 0.3-1.5 s later
               CASE WHEN p.kind IN ('rule', 'orphan') THEN p.t_base END AS te,
               CASE WHEN p.kind = 'rule'
                    THEN p.t_base + (0.005 + 0.035 * attune_demo.u(p.skey, 4)) * interval '1 second' END AS tf
          FROM picked p
          LEFT JOIN attune_demo.rule_catalog r ON r.id = p.rule_id
          LEFT JOIN attune_demo.action_catalog a ON a.id = coalesce(r.action_id, p.manual_action)
    ), resolved AS (
        SELECT c.*,
               c.tf + (0.3 + 1.2 * attune_demo.u(c.skey, 6)) * interval '1 second' AS tr
          FROM chained c
    ), started AS (
        -- the execution: created when its enforcement is processed (or at t_base
        -- when run by hand), then requested -> scheduling -> scheduled -> running
        SELECT r.*,
               CASE WHEN r.kind = 'manual' THEN r.t_base
                    WHEN r.kind = 'rule' AND NOT r.disabled
                    THEN r.tr + (0.005 + 0.025 * attune_demo.u(r.skey, 9)) * interval '1 second'
               END AS t0,
               CASE WHEN r.skey = v_delkey THEN 'completed'
                    ELSE attune_demo.pick_outcome(attune_demo.u(r.skey, 10), r.fail_p, r.dur, r.timeout_s)
               END AS outcome
          FROM resolved r
    ), stepped AS (
        SELECT s.*,
               s.t0 + (0.01 + 0.2 * attune_demo.u(s.skey, 12)) * interval '1 second' AS t1,
               s.t0 + (0.04 + 0.6 * attune_demo.u(s.skey, 12)) * interval '1 second' AS t2
          FROM started s
    ), ran AS (
        SELECT s.*,
               CASE WHEN s.outcome <> 'early_fail'
                    THEN s.t2 + attune_demo.pick_wait(attune_demo.u(s.skey, 13)) * interval '1 second'
               END AS t3
          FROM stepped s
    ), ended AS (
        SELECT r.*,
               CASE WHEN r.outcome = 'cancelled'
                    THEN r.t3 + r.dur * attune_demo.u(r.skey, 14) * interval '1 second' END AS t_cx,
               CASE r.outcome
                    WHEN 'completed'  THEN r.t3 + r.dur * interval '1 second'
                    WHEN 'failed'     THEN r.t3 + r.dur * (0.2 + 0.8 * attune_demo.u(r.skey, 14)) * interval '1 second'
                    WHEN 'timeout'    THEN r.t3 + r.timeout_s * interval '1 second'
                    WHEN 'cancelled'  THEN r.t3 + (r.dur * attune_demo.u(r.skey, 14) + 0.5
                                                   + 2.5 * attune_demo.u(r.skey, 15)) * interval '1 second'
                    WHEN 'abandoned'  THEN r.t3 + (600 + 1200 * attune_demo.u(r.skey, 15)) * interval '1 second'
                    WHEN 'early_fail' THEN r.t2 + (30 + 30 * attune_demo.u(r.skey, 15)) * interval '1 second'
               END AS t_end
          FROM ran r
    )
    SELECT e.skey, e.kind, e.rule_id, e.rule_ref, e.trigger_id, e.trigger_ref, e.sensor_id, e.sensor_ref,
           e.action_id, e.action_ref, e.timeout_s, e.dur, e.disabled, e.outcome,
           e.te, e.tf, e.tr, e.t0, e.t1, e.t2, e.t3, e.t_cx, e.t_end,
           CASE WHEN e.outcome = 'early_fail' THEN 'failed' ELSE e.outcome END AS final_status,
           CASE WHEN e.kind = 'manual' THEN 1 + floor(3 * attune_demo.u(e.skey, 16))::bigint END AS executor0,
           CASE WHEN e.kind = 'manual' THEN 1 + floor(3 * attune_demo.u(e.skey, 16))::bigint ELSE 4 END AS executor_s,
           attune_demo.result_for(e.outcome, e.action_ref,
               (extract(epoch FROM e.t_end - e.t3) * 1000)::bigint, e.timeout_s, e.skey) AS result,
           jsonb_build_object('parameters', jsonb_build_object('target', 'svc-' || (e.skey % 23))) AS config,
           jsonb_build_object('host', 'node-' || (e.skey % 17), 'seq', e.skey % 1000,
                              'value', round((100 * attune_demo.u(e.skey, 17))::numeric, 2)) AS payload,
           -- an operator cleans up a few finished manual runs (and always slot v_delkey)
           CASE WHEN e.skey = v_delkey
                THEN e.t_end + interval '45 minutes'
                WHEN e.kind = 'manual' AND attune_demo.u(e.skey, 18) < 0.0015
                     AND e.t_end + interval '2 hours' <= v_cut
                THEN e.t_end + (1800 + 3600 * attune_demo.u(e.skey, 19)) * interval '1 second'
           END AS deleted_at
      FROM ended e;

    -- Executions guaranteed to be in flight at the cutoff: long runs, jobs waiting in
    -- the queue, one just requested.
    INSERT INTO _demo_x (skey, kind, action_id, action_ref, timeout_s, dur, disabled, outcome,
                         t0, t1, t2, t3, t_end, final_status, executor0, executor_s, result, config)
    SELECT v.skey, 'manual', a.id, a.ref, a.timeout_s, v.dur, false, 'completed',
           v_cut - v.age, v_cut - v.age + interval '0.1 s', v_cut - v.age + interval '0.4 s',
           v_cut + v.start_in, v_cut + v.start_in + v.dur * interval '1 second',
           'completed', 2, 2,
           attune_demo.result_for('completed', a.ref, (v.dur * 1000)::bigint, a.timeout_s, v.skey),
           jsonb_build_object('parameters', jsonb_build_object('target', 'svc-special'))
      FROM (VALUES (-1::bigint, 'ml.retrain_model', interval '25 minutes', interval '-24 minutes', 2700.0),
                   (-2, 'backup.snapshot_volume', interval '3 minutes', interval '-150 seconds', 300.0),
                   (-3, 'etl.nightly_load', interval '12 minutes', interval '3 minutes', 600.0),
                   (-4, 'k8s.scale_deployment', interval '40 seconds', interval '20 seconds', 8.0),
                   (-5, 'core.http_request', interval '0.05 seconds', interval '2 seconds', 1.0))
           AS v (skey, action_ref, age, start_in, dur)
      JOIN attune_demo.action_catalog a ON a.ref = v.action_ref;

    -- ids in creation order, counting only what exists at the cutoff
    CREATE TEMP TABLE _demo_e AS
    SELECT x.*,
           CASE WHEN x.te <= v_cut
                THEN count(*) FILTER (WHERE x.te <= v_cut) OVER (ORDER BY x.te, x.skey) END AS ev_id,
           CASE WHEN x.tf <= v_cut
                THEN count(*) FILTER (WHERE x.tf <= v_cut) OVER (ORDER BY x.tf, x.skey) END AS enf_id,
           CASE WHEN x.t0 <= v_cut
                THEN count(*) FILTER (WHERE x.t0 <= v_cut) OVER (ORDER BY x.t0, x.skey) END AS ex_id
      FROM _demo_x x;

    -- ------------------------------------------------------------------
    -- 2. event, enforcement
    -- ------------------------------------------------------------------
    INSERT INTO event (id, trigger, trigger_ref, config, payload, source, source_ref, created)
    SELECT e.ev_id, e.trigger_id, e.trigger_ref, NULL, e.payload, e.sensor_id, e.sensor_ref, e.te
      FROM _demo_e e
     WHERE e.ev_id IS NOT NULL
     ORDER BY e.ev_id;

    INSERT INTO enforcement (id, rule, rule_ref, trigger_ref, config, event, status, payload,
                             condition, conditions, created, resolved_at)
    SELECT e.enf_id, e.rule_id, e.rule_ref, e.trigger_ref, NULL, e.ev_id,
           (CASE WHEN e.tr > v_cut THEN 'created'
                 WHEN e.disabled THEN 'disabled'
                 ELSE 'processed' END)::enforcement_status_enum,
           e.payload, 'all', '[]'::jsonb, e.tf,
           CASE WHEN e.tr <= v_cut THEN e.tr END
      FROM _demo_e e
     WHERE e.enf_id IS NOT NULL
     ORDER BY e.enf_id;

    -- ------------------------------------------------------------------
    -- 3. execution_history, exactly as record_execution_history() writes it
    -- ------------------------------------------------------------------
    INSERT INTO execution_history (time, operation, entity_id, entity_ref, changed_fields, old_values, new_values)
    SELECT h.time, h.op, e.ex_id, e.action_ref, h.changed, h.old_values, h.new_values
      FROM _demo_e e
     CROSS JOIN LATERAL (VALUES
        (e.t0, 'INSERT', '{}'::text[], NULL::jsonb,
         jsonb_build_object('status', 'requested', 'action_ref', e.action_ref, 'executor', e.executor0,
                            'parent', NULL::bigint,
                            'enforcement', CASE WHEN e.kind = 'rule' THEN e.enf_id END,
                            'started_at', NULL::timestamptz)),
        (e.t1, 'UPDATE', '{status}', '{"status": "requested"}', '{"status": "scheduling"}'),
        (e.t2, 'UPDATE',
         CASE WHEN e.executor0 IS DISTINCT FROM e.executor_s THEN '{status,executor}' ELSE '{status}' END::text[],
         CASE WHEN e.executor0 IS DISTINCT FROM e.executor_s
              THEN jsonb_build_object('status', 'scheduling', 'executor', e.executor0)
              ELSE '{"status": "scheduling"}' END,
         CASE WHEN e.executor0 IS DISTINCT FROM e.executor_s
              THEN jsonb_build_object('status', 'scheduled', 'executor', e.executor_s)
              ELSE '{"status": "scheduled"}' END),
        (e.t3, 'UPDATE', '{status,started_at}',
         jsonb_build_object('status', 'scheduled', 'started_at', NULL::timestamptz),
         jsonb_build_object('status', 'running', 'started_at', e.t3)),
        (e.t_cx, 'UPDATE', '{status}', '{"status": "running"}', '{"status": "canceling"}'),
        (e.t_end, 'UPDATE',
         CASE WHEN e.result IS NULL THEN '{status}' ELSE '{status,result}' END::text[],
         jsonb_build_object('status', CASE e.outcome WHEN 'early_fail' THEN 'scheduled'
                                                     WHEN 'cancelled' THEN 'canceling'
                                                     ELSE 'running' END)
             || CASE WHEN e.result IS NULL THEN '{}'::jsonb ELSE '{"result": null}' END,
         jsonb_build_object('status', e.final_status)
             || CASE WHEN e.result IS NULL THEN '{}'::jsonb
                     ELSE jsonb_build_object('result', _jsonb_digest_summary(e.result)) END),
        (e.deleted_at, 'DELETE', '{}', NULL, NULL)
     ) AS h (time, op, changed, old_values, new_values)
     WHERE e.ex_id IS NOT NULL
       AND h.time <= v_cut;

    -- ------------------------------------------------------------------
    -- 4. live executions = their state at the cutoff (deleted ones are gone)
    -- ------------------------------------------------------------------
    INSERT INTO execution (id, action, action_ref, config, env_vars, parent, enforcement, executor,
                           status, result, started_at, workflow_task, created, updated)
    SELECT e.ex_id, e.action_id, e.action_ref, e.config, NULL, NULL,
           CASE WHEN e.kind = 'rule' THEN e.enf_id END,
           CASE WHEN e.t2 <= v_cut THEN e.executor_s ELSE e.executor0 END,
           (CASE WHEN e.t_end <= v_cut THEN e.final_status
                 WHEN e.t_cx  <= v_cut THEN 'canceling'
                 WHEN e.t3    <= v_cut THEN 'running'
                 WHEN e.t2    <= v_cut THEN 'scheduled'
                 WHEN e.t1    <= v_cut THEN 'scheduling'
                 ELSE 'requested' END)::execution_status_enum,
           CASE WHEN e.t_end <= v_cut THEN e.result END,
           CASE WHEN e.t3 <= v_cut THEN e.t3 END,
           NULL,
           e.t0,
           CASE WHEN e.t_end <= v_cut THEN e.t_end
                WHEN e.t_cx  <= v_cut THEN e.t_cx
                WHEN e.t3    <= v_cut THEN e.t3
                WHEN e.t2    <= v_cut THEN e.t2
                WHEN e.t1    <= v_cut THEN e.t1
                ELSE e.t0 END
      FROM _demo_e e
     WHERE e.ex_id IS NOT NULL
       AND (e.deleted_at IS NULL OR e.deleted_at > v_cut)
     ORDER BY e.ex_id;

    -- what tick() has left to do for executions still in flight
    INSERT INTO attune_demo.plan (execution_id, outcome, start_after, run_s, finish_at)
    SELECT e.ex_id, e.outcome,
           CASE WHEN e.outcome = 'early_fail' THEN e.t_end ELSE e.t3 END,
           e.dur,
           CASE WHEN e.outcome = 'cancelled' THEN e.t_cx
                WHEN e.outcome = 'early_fail' THEN NULL
                ELSE e.t_end END
      FROM _demo_e e
     WHERE e.ex_id IS NOT NULL
       AND NOT (e.t_end <= v_cut);

    -- ------------------------------------------------------------------
    -- 5. workers: status/attribute events -> full state at each event -> diffs
    -- ------------------------------------------------------------------
    CREATE TEMP TABLE _demo_wev AS
    WITH w AS (
        SELECT c.*,
               greatest(v_start + c.id * interval '7 minutes',
                        coalesce(v_d0 + c.reg_at, '-infinity'::timestamptz)) AS reg_t,
               least(v_cut, CASE c.kind WHEN 'stale' THEN v_cut - interval '23 minutes'
                                        WHEN 'retired' THEN v_d0 + c.end_at
                                        WHEN 'decommissioned' THEN v_d0 + c.end_at
                                        ELSE v_cut END) AS end_t
          FROM attune_demo.worker_catalog c
    ), d AS (
        SELECT dd, (extract(epoch FROM dd) / 86400)::bigint AS dn
          FROM generate_series(date_bin('1 day', v_start, v_origin), v_d0, interval '1 day') AS dd
    ), ev AS (
        -- registration
        SELECT w.id, w.reg_t AS t, 'active' AS status, false AS is_up, true AS is_insert
          FROM w
        UNION ALL
        -- daily restart around 03:00 UTC: inactive, active again 30-120 s later
        SELECT w.id, x.t, x.status, x.is_up, false
          FROM w CROSS JOIN d
         CROSS JOIN LATERAL (SELECT d.dd + interval '3 hours'
                                    + attune_demo.u(w.id * 100000 + d.dn, 21) * interval '50 minutes' AS t_down) td
         CROSS JOIN LATERAL (VALUES (td.t_down, 'inactive', false),
                                    (td.t_down + (30 + 90 * attune_demo.u(w.id * 100000 + d.dn, 22))
                                                 * interval '1 second', 'active', true)) AS x (t, status, is_up)
         WHERE w.kind <> 'flapping'
           AND td.t_down > w.reg_t
           AND td.t_down + interval '121 seconds' < w.end_t
        UNION ALL
        -- busy spells in the afternoon (13:00-19:30 UTC), 5-30 min each
        SELECT w.id, x.t, x.status, false, false
          FROM w CROSS JOIN d CROSS JOIN generate_series(0, 3) AS j
         CROSS JOIN LATERAL (SELECT d.dd + interval '13 hours' + j * interval '90 minutes'
                                    + attune_demo.u(w.id * 100000 + d.dn * 10 + j, 23) * interval '40 minutes' AS t_on) tb
         CROSS JOIN LATERAL (VALUES (tb.t_on, 'busy'),
                                    (tb.t_on + interval '5 minutes'
                                     + attune_demo.u(w.id * 100000 + d.dn * 10 + j, 24) * interval '25 minutes',
                                     'active')) AS x (t, status)
         WHERE w.kind = 'busy'
           AND tb.t_on > w.reg_t
           AND tb.t_on + interval '31 minutes' < w.end_t
        UNION ALL
        -- the flapping worker, early on: an error every ~2 h, recovered 2-8 min later
        SELECT w.id, x.t, x.status, false, false
          FROM w CROSS JOIN generate_series(0, 12 * days) AS k
         CROSS JOIN LATERAL (SELECT w.reg_t + interval '1 hour' + k * interval '2 hours'
                                    + attune_demo.u(w.id * 100000 + k, 25) * interval '40 minutes' AS t_err) te
         CROSS JOIN LATERAL (VALUES (te.t_err, 'error'),
                                    (te.t_err + interval '2 minutes'
                                     + attune_demo.u(w.id * 100000 + k, 26) * interval '6 minutes',
                                     'active')) AS x (t, status)
         WHERE w.kind = 'flapping'
           AND te.t_err + interval '9 minutes' < v_cut - interval '6 hours'
        UNION ALL
        -- ... and in the last 6 hours a change every ~8 minutes
        SELECT w.id,
               v_cut - interval '6 hours' + k * interval '8 minutes'
                   + attune_demo.u(w.id * 100000 + 5000 + k, 27) * interval '3 minutes',
               (ARRAY['error', 'active', 'inactive', 'active'])[1 + k % 4], false, false
          FROM w CROSS JOIN generate_series(0, 45) AS k
         WHERE w.kind = 'flapping'
           AND v_cut - interval '6 hours' + k * interval '8 minutes' > w.reg_t
           AND v_cut - interval '6 hours' + k * interval '8 minutes'
                   + attune_demo.u(w.id * 100000 + 5000 + k, 27) * interval '3 minutes' <= v_cut
        UNION ALL
        -- retirement
        SELECT w.id, w.end_t, 'inactive', false, false
          FROM w
         WHERE w.kind = 'retired' AND w.end_t > w.reg_t AND w.end_t < v_cut
        UNION ALL
        -- attribute changes (status unchanged): upgrade, rename, port, capabilities
        SELECT w.id, a.t, NULL, false, false
          FROM w
         CROSS JOIN LATERAL (VALUES
                (CASE WHEN w.kind <> 'flapping'
                      THEN v_d0 - interval '3 days' + interval '10 hours' + w.id * interval '3 minutes' END),
                (v_d0 + w.rename_at),
                (v_d0 + w.port_at),
                (v_d0 + w.caps_at)) AS a (t)
         WHERE a.t > w.reg_t AND a.t < w.end_t
    )
    SELECT w.id, w.kind, w.reg_t, w.end_t, ev.t, ev.is_insert,
           -- carry the status forward over attribute-only events
           max(ev.status) OVER (PARTITION BY w.id, ev.grp) AS status,
           CASE WHEN w.old_name IS NOT NULL AND ev.t < v_d0 + w.rename_at THEN w.old_name ELSE w.name END AS name,
           w.worker_type, w.worker_role,
           CASE WHEN w.worker_type = 'container'  -- a new container (host name) on every restart
                THEN w.host || '-' || left(md5(w.name || ':' || ev.n_up), 5)
                ELSE w.host END AS host,
           CASE WHEN w.port_at IS NOT NULL AND ev.t >= v_d0 + w.port_at THEN w.new_port ELSE w.port END AS port,
           CASE WHEN w.caps_at IS NOT NULL AND ev.t >= v_d0 + w.caps_at THEN w.caps2 ELSE w.caps END AS capabilities,
           jsonb_build_object('version',
                   CASE WHEN w.kind <> 'flapping'
                             AND ev.t >= v_d0 - interval '3 days' + interval '10 hours' + w.id * interval '3 minutes'
                        THEN '0.4.0' ELSE '0.3.1' END,
                   'zone', w.zone) AS meta
      FROM w
      JOIN (SELECT ev.*,
                   count(ev.status) OVER (PARTITION BY ev.id ORDER BY ev.t, ev.is_insert DESC) AS grp,
                   count(*) FILTER (WHERE ev.is_up) OVER (PARTITION BY ev.id ORDER BY ev.t, ev.is_insert DESC) AS n_up
              FROM ev) ev ON ev.id = w.id;

    CREATE TEMP TABLE _demo_ws AS
    SELECT s.*,
           lag(s.name)         OVER wo AS p_name,
           lag(s.status)       OVER wo AS p_status,
           lag(s.capabilities) OVER wo AS p_capabilities,
           lag(s.meta)         OVER wo AS p_meta,
           lag(s.host)         OVER wo AS p_host,
           lag(s.port)         OVER wo AS p_port,
           row_number()        OVER (PARTITION BY s.id ORDER BY s.t DESC) AS rn_last
      FROM _demo_wev s
    WINDOW wo AS (PARTITION BY s.id ORDER BY s.t, s.is_insert DESC);

    INSERT INTO worker_history (time, operation, entity_id, entity_ref, changed_fields, old_values, new_values)
    SELECT h.t, h.op, h.id, h.name, h.changed, h.old_values, h.new_values
      FROM (
        SELECT s.t, 'INSERT' AS op, s.id, s.name, '{}'::text[] AS changed, NULL::jsonb AS old_values,
               jsonb_build_object('name', s.name, 'worker_type', s.worker_type, 'worker_role', s.worker_role,
                                  'status', s.status, 'host', s.host, 'port', s.port) AS new_values
          FROM _demo_ws s
         WHERE s.is_insert
        UNION ALL
        SELECT s.t, 'UPDATE', s.id, s.name,
               array_remove(ARRAY[
                   CASE WHEN s.name IS DISTINCT FROM s.p_name THEN 'name' END,
                   CASE WHEN s.status IS DISTINCT FROM s.p_status THEN 'status' END,
                   CASE WHEN s.capabilities IS DISTINCT FROM s.p_capabilities THEN 'capabilities' END,
                   CASE WHEN s.meta IS DISTINCT FROM s.p_meta THEN 'meta' END,
                   CASE WHEN s.host IS DISTINCT FROM s.p_host THEN 'host' END,
                   CASE WHEN s.port IS DISTINCT FROM s.p_port THEN 'port' END], NULL),
               CASE WHEN s.name IS DISTINCT FROM s.p_name THEN jsonb_build_object('name', s.p_name) ELSE '{}' END
               || CASE WHEN s.status IS DISTINCT FROM s.p_status THEN jsonb_build_object('status', s.p_status) ELSE '{}' END
               || CASE WHEN s.capabilities IS DISTINCT FROM s.p_capabilities
                       THEN jsonb_build_object('capabilities', s.p_capabilities) ELSE '{}' END
               || CASE WHEN s.meta IS DISTINCT FROM s.p_meta THEN jsonb_build_object('meta', s.p_meta) ELSE '{}' END
               || CASE WHEN s.host IS DISTINCT FROM s.p_host THEN jsonb_build_object('host', s.p_host) ELSE '{}' END
               || CASE WHEN s.port IS DISTINCT FROM s.p_port THEN jsonb_build_object('port', s.p_port) ELSE '{}' END,
               CASE WHEN s.name IS DISTINCT FROM s.p_name THEN jsonb_build_object('name', s.name) ELSE '{}' END
               || CASE WHEN s.status IS DISTINCT FROM s.p_status THEN jsonb_build_object('status', s.status) ELSE '{}' END
               || CASE WHEN s.capabilities IS DISTINCT FROM s.p_capabilities
                       THEN jsonb_build_object('capabilities', s.capabilities) ELSE '{}' END
               || CASE WHEN s.meta IS DISTINCT FROM s.p_meta THEN jsonb_build_object('meta', s.meta) ELSE '{}' END
               || CASE WHEN s.host IS DISTINCT FROM s.p_host THEN jsonb_build_object('host', s.host) ELSE '{}' END
               || CASE WHEN s.port IS DISTINCT FROM s.p_port THEN jsonb_build_object('port', s.port) ELSE '{}' END
          FROM _demo_ws s
         WHERE NOT s.is_insert
        UNION ALL
        SELECT s.end_t, 'DELETE', s.id, s.name, '{}', NULL, NULL
          FROM _demo_ws s
         WHERE s.kind = 'decommissioned' AND s.rn_last = 1 AND s.end_t < v_cut
      ) h
     WHERE h.op <> 'UPDATE' OR cardinality(h.changed) > 0
     ORDER BY h.t;

    -- live workers: the last state, heartbeat according to kind
    INSERT INTO worker (id, name, worker_type, worker_role, runtime, host, port, status, capabilities, meta,
                        last_heartbeat, created, updated)
    SELECT s.id, s.name, s.worker_type::worker_type_enum, s.worker_role::worker_role_enum, NULL, s.host, s.port,
           s.status::worker_status_enum, s.capabilities, s.meta, hb.t, s.reg_t, greatest(s.t, hb.t)
      FROM _demo_ws s
     CROSS JOIN LATERAL (SELECT CASE
               WHEN s.kind IN ('stale', 'retired') THEN s.end_t
               WHEN s.kind = 'flapping' AND s.status = 'inactive' THEN s.t
               WHEN s.kind = 'flapping' AND s.status = 'error' THEN v_cut - interval '6 seconds'
               ELSE v_cut - (1 + 14 * attune_demo.u(s.id, 31)) * interval '1 second'
           END AS t) hb
     WHERE s.rn_last = 1
       AND NOT (s.kind = 'decommissioned' AND s.end_t < v_cut)
     ORDER BY s.id;

    -- ------------------------------------------------------------------
    -- 6. sequences, triggers back on, summary
    -- ------------------------------------------------------------------
    PERFORM setval(pg_get_serial_sequence('event', 'id'), coalesce((SELECT max(id) FROM event), 0) + 1, false);
    PERFORM setval(pg_get_serial_sequence('enforcement', 'id'), coalesce((SELECT max(id) FROM enforcement), 0) + 1, false);
    PERFORM setval(pg_get_serial_sequence('execution', 'id'),
                   coalesce((SELECT max(ex_id) FROM _demo_e), 0) + 1, false);
    PERFORM setval(pg_get_serial_sequence('worker', 'id'),
                   coalesce((SELECT max(id) FROM attune_demo.worker_catalog), 0) + 1, false);

    SELECT jsonb_build_object(
               'anchor', v_a0,
               'cutoff', v_cut,
               'days', days,
               'events', (SELECT count(*) FROM event),
               'enforcements', (SELECT count(*) FROM enforcement),
               'executions', (SELECT count(*) FROM execution),
               'in_flight', (SELECT count(*) FROM attune_demo.plan),
               'execution_history', (SELECT count(*) FROM execution_history),
               'workers', (SELECT count(*) FROM worker),
               'worker_history', (SELECT count(*) FROM worker_history),
               'deleted_executions', (SELECT coalesce(jsonb_agg(ex_id ORDER BY ex_id), '[]')
                                        FROM _demo_e WHERE deleted_at <= v_cut AND ex_id IS NOT NULL),
               'elapsed_ms', round((extract(epoch FROM clock_timestamp() - v_clock) * 1000)::numeric))
      INTO v_summary;

    DROP TABLE pg_temp._demo_x, pg_temp._demo_e, pg_temp._demo_wev, pg_temp._demo_ws;

    IF v_altered THEN
        ALTER TABLE execution ENABLE TRIGGER execution_history_trigger;
        ALTER TABLE worker ENABLE TRIGGER worker_history_trigger;
    ELSE
        PERFORM set_config('session_replication_role', 'origin', true);
    END IF;

    RETURN v_summary;
END;
$populate$;

COMMENT ON FUNCTION attune_demo.populate(timestamptz, integer) IS
    'Empties the Attune tables and writes a deterministic history of `days` days up to least(now(), anchor hour + 1 h)';

-- ============================================================================
-- tick(): one second of live traffic, through the real triggers
-- ============================================================================

-- Plans a new execution: outcome, queue wait and run time drawn with random().
CREATE FUNCTION attune_demo.plan_execution(p_id bigint, p_action_ref text) RETURNS void
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $plan$
DECLARE
    v_a   attune_demo.action_catalog;
    v_dur float8;
    v_out text;
BEGIN
    SELECT * INTO v_a FROM attune_demo.action_catalog WHERE ref = p_action_ref;
    IF NOT FOUND THEN
        v_a.base_s := 2; v_a.fail_p := 0.05; v_a.timeout_s := 300;
    END IF;
    v_dur := attune_demo.pick_duration(v_a.base_s, random(), random());
    v_out := attune_demo.pick_outcome(random(), v_a.fail_p, v_dur, v_a.timeout_s);
    INSERT INTO attune_demo.plan (execution_id, outcome, start_after, run_s, finish_at)
    VALUES (p_id, v_out,
            now() + attune_demo.pick_wait(random()) * interval '1 second',
            CASE v_out WHEN 'timeout'   THEN v_a.timeout_s
                       WHEN 'failed'    THEN v_dur * (0.2 + 0.8 * random())
                       WHEN 'cancelled' THEN v_dur * random()
                       WHEN 'abandoned' THEN 600 + 1200 * random()
                       ELSE v_dur END,
            NULL)  -- set when it starts running
    ON CONFLICT (execution_id) DO NOTHING;
END;
$plan$;

-- The share of paced calls that create work so that the live rate matches the history's
-- typical hour: the mean of the 24 ended hours before the current one (at least one
-- execution an hour), over the ~4.25 executions a working call starts: 2.9 from its
-- events' enforcements (on the next call), the manual run of a call whose step 4
-- started nothing (a paced working call almost always follows an idle one) and 0.35
-- more. Bounded by the (created) index: one day of rows.
CREATE FUNCTION attune_demo.pace() RETURNS float8
LANGUAGE sql STABLE
SET search_path FROM CURRENT
AS $$
    SELECT least(1.0, greatest(count(*), 24) / 24.0 / 3600.0 / 4.25)
      FROM execution
     WHERE created >= date_trunc('hour', now()) - interval '24 hours'
       AND created < date_trunc('hour', now())
$$;

COMMENT ON FUNCTION attune_demo.pace() IS
    'Share of paced tick() calls that create work: the history''s mean hourly rate over 3600 calls';

-- Called once a second by the demo's simulator on a read-write connection, with the
-- history triggers on. In this order: worker heartbeats (heartbeat-only updates leave
-- no history), now and then a status change of the flapping or a busy worker (never
-- the stale one), one lifecycle step for in-flight executions whose time has come,
-- resolution of the enforcements of the previous call (each processed one starts an
-- execution), 1-5 new events with their enforcements, and manual runs so that every
-- call creates at least one execution. Uses random(): the live part need not be
-- deterministic. Takes a few milliseconds.
--
-- p_paced (the simulator's call): new work only on a share of the calls, so that the
-- live hours run at the history's rate (attune_demo.pace()) and the current hour
-- neither flattens every sparkline nor hides the scripted incident. Unpaced, every call
-- creates work (~3 executions a second), for tests that need motion at once.
CREATE FUNCTION attune_demo.tick(p_paced boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $tick$
DECLARE
    v_go      boolean := NOT p_paced OR random() < attune_demo.pace();
    v_u       float8;
    v_rule    attune_demo.rule_catalog;
    v_act     attune_demo.action_catalog;
    v_ev      bigint;
    v_id      bigint;
    v_ref     text;
    v_new     integer := 0;
    v_payload jsonb;
BEGIN
    -- 1. heartbeats: each healthy worker every ~5-9 s
    UPDATE worker w
       SET last_heartbeat = now()
      FROM attune_demo.worker_catalog c
     WHERE w.name = c.name
       AND c.kind IN ('normal', 'busy', 'flapping')
       AND w.status <> 'inactive'
       AND (w.last_heartbeat IS NULL
            OR w.last_heartbeat <= now() - interval '9 seconds' + c.id * interval '0.3 seconds');

    -- 2. the flapping worker changes status ~10 times an hour, a busy worker ~15
    IF random() < 1.0 / 360 THEN
        UPDATE worker w
           SET status = CASE WHEN w.status = 'active'
                             THEN (CASE WHEN random() < 0.5 THEN 'error' ELSE 'inactive' END)::worker_status_enum
                             ELSE 'active'::worker_status_enum END,
               last_heartbeat = now()
          FROM attune_demo.worker_catalog c
         WHERE w.name = c.name AND c.kind = 'flapping';
    END IF;
    IF random() < 1.0 / 240 THEN
        UPDATE worker w
           SET status = CASE WHEN w.status = 'busy' THEN 'active' ELSE 'busy' END::worker_status_enum
          FROM attune_demo.worker_catalog c
         WHERE w.name = c.name
           AND w.status IN ('active', 'busy')
           AND c.id = (SELECT id FROM attune_demo.worker_catalog WHERE kind = 'busy' ORDER BY random() LIMIT 1);
    END IF;

    -- 3. one lifecycle step for in-flight executions that are due. Runs before new
    --    executions are created, so every step takes at least one call (~1 s).
    WITH cand AS (
        SELECT e.id, e.status::text AS status, p.outcome, p.start_after, p.finish_at
          FROM execution e
          JOIN attune_demo.plan p ON p.execution_id = e.id
         WHERE e.status IN ('requested', 'scheduling', 'scheduled', 'running', 'canceling')
         ORDER BY e.id
         LIMIT 500
    ), step AS (
        SELECT c.id, c.outcome,
               CASE
                   WHEN c.status = 'requested' AND random() < 0.8 THEN 'scheduling'
                   WHEN c.status = 'scheduling' AND random() < 0.8 THEN 'scheduled'
                   WHEN c.status = 'scheduled' AND now() >= coalesce(c.start_after, now())
                        THEN CASE WHEN c.outcome = 'early_fail' THEN 'failed' ELSE 'running' END
                   WHEN c.status = 'running' AND now() >= c.finish_at
                        THEN CASE c.outcome WHEN 'cancelled' THEN 'canceling'
                                            WHEN 'early_fail' THEN 'failed'
                                            ELSE c.outcome END
                   WHEN c.status = 'canceling' THEN 'cancelled'
               END AS next
          FROM cand c
    ), upd AS (
        UPDATE execution e
           SET status = s.next::execution_status_enum,
               started_at = CASE WHEN s.next = 'running' THEN now() ELSE e.started_at END,
               executor = CASE WHEN s.next = 'scheduled' AND e.enforcement IS NOT NULL AND e.executor IS NULL
                               THEN 4 ELSE e.executor END,
               result = CASE WHEN s.next IN ('completed', 'failed', 'timeout', 'cancelled')
                             THEN attune_demo.result_for(
                                      CASE WHEN s.outcome = 'early_fail' THEN 'early_fail' ELSE s.next END,
                                      e.action_ref,
                                      (extract(epoch FROM now() - e.started_at) * 1000)::bigint,
                                      (SELECT a.timeout_s FROM attune_demo.action_catalog a WHERE a.ref = e.action_ref),
                                      e.id)
                             ELSE e.result END
          FROM step s
         WHERE e.id = s.id AND s.next IS NOT NULL
        RETURNING e.id, e.status::text AS status
    ), started AS (
        UPDATE attune_demo.plan p
           SET finish_at = now() + p.run_s * interval '1 second'
          FROM upd
         WHERE p.execution_id = upd.id AND upd.status = 'running' AND p.finish_at IS NULL
    )
    DELETE FROM attune_demo.plan p
     USING upd
     WHERE p.execution_id = upd.id
       AND upd.status IN ('completed', 'failed', 'timeout', 'cancelled', 'abandoned');

    -- 4. enforcements of the previous call: processed (-> a new execution) or disabled
    FOR v_id, v_ref IN
        WITH res AS (
            UPDATE enforcement f
               SET status = (CASE WHEN random() < 0.03 THEN 'disabled' ELSE 'processed' END)::enforcement_status_enum,
                   resolved_at = now()
             WHERE f.status = 'created'
               AND f.created <= now() - interval '0.5 seconds'
            RETURNING f.id, f.rule_ref, f.status
        )
        INSERT INTO execution (action, action_ref, config, enforcement)
        SELECT a.id, a.ref, jsonb_build_object('parameters', jsonb_build_object('rule', res.rule_ref)), res.id
          FROM res
          JOIN attune_demo.rule_catalog r ON r.ref = res.rule_ref
          JOIN attune_demo.action_catalog a ON a.id = r.action_id
         WHERE res.status = 'processed'
        RETURNING id, action_ref
    LOOP
        PERFORM attune_demo.plan_execution(v_id, v_ref);
        v_new := v_new + 1;
    END LOOP;

    IF NOT v_go THEN
        RETURN;
    END IF;

    -- 5. 1-5 new events, each matched by a rule (enforcement resolved next call);
    --    now and then an event that no rule matches
    FOR i IN 1 .. 1 + floor(random() * 5)::integer LOOP
        v_u := random();
        SELECT * INTO v_rule FROM attune_demo.rule_catalog WHERE cum_hi > v_u ORDER BY cum_hi LIMIT 1;
        v_payload := jsonb_build_object('host', 'node-' || floor(random() * 17)::integer,
                                        'value', round((random() * 100)::numeric, 2));
        INSERT INTO event (trigger, trigger_ref, payload, source, source_ref)
        VALUES (v_rule.trigger_id, v_rule.trigger_ref, v_payload, v_rule.sensor_id, v_rule.sensor_ref)
        RETURNING id INTO v_ev;
        INSERT INTO enforcement (rule, rule_ref, trigger_ref, event, payload)
        VALUES (v_rule.id, v_rule.ref, v_rule.trigger_ref, v_ev, v_payload);
    END LOOP;
    IF random() < 0.1 THEN
        INSERT INTO event (trigger, trigger_ref, payload, source, source_ref)
        VALUES (7, 'sensor.file_watch', jsonb_build_object('path', '/srv/drop/' || floor(random() * 1000)::integer),
                7, 'sensor.file_watcher');
    END IF;

    -- 6. manual runs: always one when step 4 started nothing, sometimes one more
    FOR i IN 1 .. (CASE WHEN v_new = 0 THEN 1 ELSE 0 END) + (CASE WHEN random() < 0.35 THEN 1 ELSE 0 END) LOOP
        v_u := random();
        SELECT * INTO v_act FROM attune_demo.action_catalog WHERE cum_hi > v_u ORDER BY cum_hi LIMIT 1;
        INSERT INTO execution (action, action_ref, config, executor)
        VALUES (v_act.id, v_act.ref, jsonb_build_object('parameters', jsonb_build_object('target', 'svc-live')),
                1 + floor(random() * 3)::bigint)
        RETURNING id INTO v_id;
        PERFORM attune_demo.plan_execution(v_id, v_act.ref);
        v_new := v_new + 1;
    END LOOP;
END;
$tick$;

COMMENT ON FUNCTION attune_demo.tick(boolean) IS
    'One second of simulated live traffic (events, enforcements, execution lifecycles, worker heartbeats)';

-- ----------------------------------------------------------------------------
-- maintain(): what Attune's supervisor does on a native install (the shape of
-- attune-native.sql), for the demo: summaries of the ended hours (at most the
-- newest 48 per kind and call; the current hour is never built) and leaves for
-- the coming days. Nothing on the plain shape.
-- ----------------------------------------------------------------------------
CREATE FUNCTION attune_demo.maintain() RETURNS void
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $maintain$
BEGIN
    IF to_regproc('native_summary_build') IS NULL THEN
        RETURN;
    END IF;
    PERFORM native_partition_maintain(now(), 7);
    PERFORM native_summary_build(now(), 48);
END;
$maintain$;

COMMENT ON FUNCTION attune_demo.maintain() IS
    'The native supervisor''s partition and summary jobs, as the demo runs them once a minute';

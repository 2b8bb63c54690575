-- The benchmark data set: an Attune database at production scale on plain
-- PostgreSQL, written set-based in a few minutes.
--
--   psql -v shape=agg -v executions=2050000 -v days=30 -v actions=500 -v workers=200 \
--        -f bench/dataset.sql
--
-- shape says which Attune the database is (the schema already installed in
-- "attune", empty):
--   plain   sql/attune-plain.sql: plain tables, the six hourly relations plain
--           views over them;
--   agg     the same, the six views then turned into materialized views (below);
--   native  sql/attune-native.sql: event and execution_history partitioned by
--           UTC day (a leaf for every day of the data set, loaded through the
--           parents), summaries built by native_summary_build except the newest
--           hours, and a few older hours dirtied through the parents so their
--           invalidations are queued, as between two runs of upstream's builder.
-- With -v load=0 only the shape's last step runs (agg: materialize the views
-- of a plain data set already loaded, e.g. a copy of one).
--
-- Every
-- execution lives the way Attune's triggers record it: an INSERT row and four
-- status changes (requested -> scheduling -> scheduled + executor -> running +
-- started_at -> completed/failed/timeout/cancelled + result digest), so 2.05 M
-- executions give 10.25 M execution_history rows over `days` days up to now:
-- `recent` of them in the newest 24 hours, the rest spread evenly before. 60 % of executions come from a rule (event -> enforcement
-- -> execution); action popularity is skewed (a few actions carry most of the
-- traffic, as in real installations); workers change status ~8 times a day.
--
-- The six hourly aggregates are then turned from views into materialized
-- views with an index on bucket, clustered by it: what TimescaleDB's continuous aggregates are
-- to a reader (a small pre-computed table per aggregate), which a plain view
-- over 10 M rows is not (every read would aggregate the raw history).
--
-- Pseudo-random choices are hashes of row numbers, so the data set is the
-- same on every run apart from its position in time.

\set ON_ERROR_STOP on
\if :{?executions} \else \set executions 2050000 \endif
\if :{?days} \else \set days 30 \endif
-- Executions of the newest 24 hours (default: the even share). The bench keeps
-- it the same at every size, so that a bigger data set only adds history
-- outside a 24 h range.
\if :{?recent} \else SELECT :executions / :days AS recent \gset \endif
\if :{?actions} \else \set actions 500 \endif
\if :{?workers} \else \set workers 200 \endif
\if :{?shape} \else \set shape agg \endif
\if :{?load} \else \set load 1 \endif
SELECT :'shape' = 'agg' AS is_agg, :'shape' = 'native' AS is_native,
       :'shape' IN ('plain', 'agg', 'native') AS shape_ok \gset
\if :shape_ok \else
DO $$ BEGIN RAISE EXCEPTION 'dataset.sql: shape must be plain, agg or native'; END $$;
\endif

SET search_path = attune;
SET session_replication_role = replica; -- history is written directly, not by triggers
SET maintenance_work_mem = '512MB';
SET work_mem = '256MB';
SET jit = off;
SET synchronous_commit = off;
SET client_min_messages = warning;
SET TimeZone = 'UTC';

-- u(k, salt): a deterministic uniform number in [0, 1)
CREATE FUNCTION pg_temp.u(k bigint, salt integer) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint8(k * 1000003 + salt) & 2147483647)::float8 / 2147483648.0 $$;

\if :load
-- Bulk loading is several times faster without the secondary indexes; they
-- are rebuilt from their own definitions afterwards.
CREATE TEMP TABLE saved_index AS
SELECT indexname, indexdef FROM pg_indexes
 WHERE schemaname = 'attune'
   AND tablename IN ('execution_history', 'worker_history', 'execution', 'event', 'enforcement')
   AND indexdef NOT LIKE 'CREATE UNIQUE%';
SELECT format('DROP INDEX attune.%I', indexname) FROM saved_index \gexec

TRUNCATE event, enforcement, execution, worker, execution_history, worker_history;

SELECT date_trunc('second', now()) AS t_end,
       date_trunc('second', now()) - :days * interval '1 day' AS t_start \gset

\if :is_native
-- A leaf for every UTC day of the data set (the install made today + 7), so
-- the rows go through the parents into their day leaves, none into DEFAULT.
SELECT count(*) AS leaves FROM native_partition_cover(TIMESTAMPTZ :'t_start' - interval '1 day',
                                                       :'t_end') \gset
\endif

-- One row per execution with every time of its life.
CREATE TEMP TABLE x AS
SELECT i AS id,
       a AS action_id,
       'pack' || (a % 40) || '.action_' || a AS action_ref,
       CASE WHEN pg_temp.u(i, 2) < 0.6 THEN 1 + (a % 97) END AS rule_id,
       1 + (i % :workers) AS executor,
       t0,
       t0 + interval '0.2 s' AS t_scheduling,
       t0 + interval '0.5 s' AS t_scheduled,
       t0 + interval '1 s' AS t_running,
       t0 + interval '1 s' + (1 + 120 * pg_temp.u(i, 4) ^ 2) * interval '1 s' AS t_end,
       CASE WHEN pg_temp.u(i, 5) < 0.90 THEN 'completed'
            WHEN pg_temp.u(i, 5) < 0.97 THEN 'failed'
            WHEN pg_temp.u(i, 5) < 0.99 THEN 'timeout'
            ELSE 'cancelled' END AS outcome
  FROM (SELECT i, floor(:actions * pg_temp.u(i, 1) ^ 3)::int AS a,
               CASE WHEN i <= :executions - :recent
                    THEN TIMESTAMPTZ :'t_start' + (i - 1) * ((TIMESTAMPTZ :'t_end' - interval '1 day'
                         - TIMESTAMPTZ :'t_start') / greatest(:executions - :recent, 1))
                    ELSE TIMESTAMPTZ :'t_end' - interval '1 day'
                         + (i - 1 - (:executions - :recent)) * (interval '1 day' / greatest(:recent, 1))
               END AS t0
          FROM generate_series(1, :executions) AS i) s;

INSERT INTO event (id, trigger, trigger_ref, payload, created, rule, rule_ref)
SELECT id, rule_id % 50, 'sensor' || (rule_id % 13) || '.trigger_' || (rule_id % 50),
       '{}'::jsonb, t0 - interval '0.1 s', rule_id, 'rules' || (rule_id % 11) || '.rule_' || rule_id
  FROM x WHERE rule_id IS NOT NULL;

INSERT INTO enforcement (id, rule, rule_ref, trigger_ref, event, status, payload, created, resolved_at)
SELECT id, rule_id, 'rules' || (rule_id % 11) || '.rule_' || rule_id,
       'sensor' || (rule_id % 13) || '.trigger_' || (rule_id % 50), id, 'processed', '{}'::jsonb,
       t0 - interval '0.05 s', t0
  FROM x WHERE rule_id IS NOT NULL;

-- The live rows: the state each execution has reached by now.
INSERT INTO execution (id, action, action_ref, enforcement, executor, status, result, started_at,
                       created, updated)
SELECT id, action_id, action_ref, CASE WHEN rule_id IS NOT NULL THEN id END,
       CASE WHEN t_scheduled <= :'t_end' THEN executor END,
       (CASE WHEN t_end <= :'t_end' THEN outcome
             WHEN t_running <= :'t_end' THEN 'running'
             WHEN t_scheduled <= :'t_end' THEN 'scheduled'
             WHEN t_scheduling <= :'t_end' THEN 'scheduling'
             ELSE 'requested' END)::execution_status_enum,
       CASE WHEN t_end <= :'t_end' THEN jsonb_build_object('exit_code', CASE WHEN outcome = 'completed' THEN 0 ELSE 1 END) END,
       CASE WHEN t_running <= :'t_end' THEN t_running END,
       t0, least(t_end, TIMESTAMPTZ :'t_end')
  FROM x;

INSERT INTO execution_history (time, operation, entity_id, entity_ref, changed_fields, old_values, new_values)
SELECT h.time, h.operation, x.id, x.action_ref, h.changed, h.old_v, h.new_v
  FROM x, LATERAL (VALUES
    (x.t0, 'INSERT', '{}'::text[], NULL::jsonb,
     jsonb_build_object('status', 'requested', 'action_ref', x.action_ref, 'executor', NULL,
                        'parent', NULL, 'enforcement', CASE WHEN x.rule_id IS NOT NULL THEN x.id END,
                        'started_at', NULL)),
    (x.t_scheduling, 'UPDATE', '{status}', '{"status": "requested"}', '{"status": "scheduling"}'),
    (x.t_scheduled, 'UPDATE', '{status,executor}', jsonb_build_object('status', 'scheduling', 'executor', NULL),
     jsonb_build_object('status', 'scheduled', 'executor', x.executor)),
    (x.t_running, 'UPDATE', '{status,started_at}', jsonb_build_object('status', 'scheduled', 'started_at', NULL),
     jsonb_build_object('status', 'running', 'started_at', x.t_running)),
    (x.t_end, 'UPDATE', '{status,result}', jsonb_build_object('status', 'running', 'result', NULL),
     jsonb_build_object('status', x.outcome, 'result',
                        jsonb_build_object('digest', 'md5:' || md5(x.id::text), 'size', 17, 'type', 'object')))
  ) AS h(time, operation, changed, old_v, new_v)
 WHERE h.time <= :'t_end';

-- Workers: registered at the start, heartbeating now (a few stale), changing
-- status about eight times a day.
INSERT INTO worker (id, name, worker_type, worker_role, host, port, status, last_heartbeat, created, updated)
SELECT w, 'worker-' || lpad(w::text, 3, '0'),
       (ARRAY['local', 'remote', 'container'])[1 + w % 3]::worker_type_enum,
       (ARRAY['action', 'sensor', 'hybrid'])[1 + w % 3]::worker_role_enum,
       'host' || (w % 50) || '.example.net', 7000 + w,
       (ARRAY['active', 'busy', 'active', 'inactive'])[1 + w % 4]::worker_status_enum,
       CASE WHEN w % 40 = 0 THEN TIMESTAMPTZ :'t_end' - interval '15 minutes'
            ELSE TIMESTAMPTZ :'t_end' - pg_temp.u(w, 7) * interval '10 s' END,
       :'t_start', :'t_end'
  FROM generate_series(1, :workers) AS w;

INSERT INTO worker_history (time, operation, entity_id, entity_ref, changed_fields, old_values, new_values)
SELECT TIMESTAMPTZ :'t_start', 'INSERT', id, name, '{}', NULL,
       jsonb_build_object('name', name, 'worker_type', worker_type, 'worker_role', worker_role,
                          'status', 'active', 'host', host, 'port', port)
  FROM worker;

INSERT INTO worker_history (time, operation, entity_id, entity_ref, changed_fields, old_values, new_values)
SELECT TIMESTAMPTZ :'t_start' + (k + pg_temp.u(w * 100000 + k, 8)) * interval '3 hours',
       'UPDATE', w, 'worker-' || lpad(w::text, 3, '0'), '{status}',
       jsonb_build_object('status', CASE WHEN k % 2 = 0 THEN 'active' ELSE 'busy' END),
       jsonb_build_object('status', CASE WHEN k % 2 = 0 THEN 'busy' ELSE 'active' END)
  FROM generate_series(1, :workers) AS w, generate_series(0, :days * 8 - 1) AS k
 WHERE TIMESTAMPTZ :'t_start' + (k + pg_temp.u(w * 100000 + k, 8)) * interval '3 hours' <= :'t_end';

SELECT setval(pg_get_serial_sequence('attune.execution', 'id'), :executions);
SELECT setval(pg_get_serial_sequence('attune.event', 'id'), :executions);
SELECT setval(pg_get_serial_sequence('attune.enforcement', 'id'), :executions);
SELECT setval(pg_get_serial_sequence('attune.worker', 'id'), :workers);

-- (a partitioned parent's index reads "ON ONLY parent": made again on the
-- parent, it is built on every leaf)
SELECT replace(indexdef, ' ON ONLY ', ' ON ') FROM saved_index \gexec
\endif

\if :is_agg

-- The aggregates as materialized views, same names, columns and rows.
CREATE TEMP TABLE saved_view AS
SELECT c.relname, pg_get_viewdef(c.oid) AS def
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'attune' AND c.relkind = 'v' AND c.relname LIKE '%\_hourly';
SELECT format('DROP VIEW attune.%I', relname) FROM saved_view \gexec
-- (already materialized by an earlier run: brought up to date instead)
SELECT format('REFRESH MATERIALIZED VIEW attune.%I', c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'attune' AND c.relkind = 'm' AND c.relname LIKE '%\_hourly' \gexec
SELECT format('CREATE MATERIALIZED VIEW attune.%I AS %s', relname, rtrim(def, ';')),
       format('CREATE INDEX %I ON attune.%I (bucket DESC)', relname || '_bucket_idx', relname)
  FROM saved_view \gexec
-- Rows in bucket order, as in a continuous aggregate's materialization
-- hypertable (time chunks filled bucket by bucket): a range of buckets is a
-- few adjacent pages, not rows scattered over the whole table.
SELECT format('CLUSTER attune.%I USING %I', c.relname, c.relname || '_bucket_idx')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'attune' AND c.relkind = 'm' AND c.relname LIKE '%\_hourly' \gexec

VACUUM (ANALYZE) execution_status_hourly, execution_throughput_hourly, event_volume_hourly,
                 worker_status_hourly, enforcement_volume_hourly, execution_volume_hourly;
\endif

\if :load
VACUUM (ANALYZE) execution_history, worker_history, execution, event, enforcement, worker;
\endif

\if :is_native
-- The summaries as upstream's builder leaves them a little while after its
-- last run: every ended hour of the retention window built, except the
-- newest two (the current hour is never built), which are read raw.
SET session_replication_role = origin; -- the invalidation triggers fire from here on
SELECT sum(hours_built) AS hours_built
  FROM native_summary_build(now() - interval '2 hours') \gset
-- A few built hours dirtied since, through the parents (values rewritten
-- unchanged, so every count stays the same): their statement triggers queue
-- the hours, which must then be read raw until the next build.
UPDATE execution_history SET new_values = new_values
 WHERE time >= date_trunc('hour', now(), 'UTC') - interval '7 hours'
   AND time < date_trunc('hour', now(), 'UTC') - interval '7 hours' + interval '5 minutes';
UPDATE execution_history SET new_values = new_values
 WHERE time >= date_trunc('hour', now(), 'UTC') - interval '15 hours'
   AND time < date_trunc('hour', now(), 'UTC') - interval '15 hours' + interval '5 minutes';
UPDATE event SET payload = payload
 WHERE created >= date_trunc('hour', now(), 'UTC') - interval '11 hours'
   AND created < date_trunc('hour', now(), 'UTC') - interval '11 hours' + interval '5 minutes';
UPDATE worker_history SET new_values = new_values
 WHERE time >= date_trunc('hour', now(), 'UTC') - interval '19 hours'
   AND time < date_trunc('hour', now(), 'UTC') - interval '18 hours'
   AND 'status' = ANY(changed_fields);
VACUUM (ANALYZE) execution_status_hourly_summary, execution_creation_hourly_summary,
                 event_volume_hourly_summary, worker_status_hourly_summary,
                 native_summary_hour, native_summary_invalidation;
\endif

-- Write the new pages out now, not while the measurements run.
CHECKPOINT;

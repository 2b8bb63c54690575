"""attune-plain.sql buckets on UTC hour boundaries whatever the server's
TimeZone, and the program's numbers do not depend on the server's TimeZone
or DateStyle (it pins its own session)."""

from attune_test import TAP, Cluster
from oracle import batch_and_oracle, from_frame

VIEWS = ["execution_status_hourly", "execution_throughput_hourly", "event_volume_hourly",
         "worker_status_hourly", "enforcement_volume_hourly", "execution_volume_hourly"]

t = TAP()
c = Cluster("--timezone", "Asia/Kolkata", "--datestyle", "SQL, DMY")
t.eq(c.psql("SHOW TimeZone", tz=None)[0][0], "Asia/Kolkata", "server TimeZone is Asia/Kolkata")
t.eq(c.psql("SHOW DateStyle", tz=None)[0][0], "SQL, DMY", "server DateStyle is SQL, DMY")
for v in VIEWS:
    # Read in the server's own zone (+05:30): a local-hour bucket would be
    # 30 minutes off a UTC hour.
    rows = c.psql("SELECT count(*), count(*) FILTER (WHERE extract(epoch FROM bucket)::bigint"
                  " %% 3600 <> 0), count(*) FILTER (WHERE to_char(bucket, 'MI') <> '30')"
                  " FROM attune.%s" % v, tz="Asia/Kolkata")
    n, off, local_not_30 = (int(x) for x in rows[0])
    t.ok(n > 0 and off == 0 and local_not_30 == 0,
         "%s: %d buckets, all on UTC hour boundaries (HH:30 in +05:30)" % (v, n),
         rows)

r, frames, o = batch_and_oracle(c, [], 24)
t.ok(r.returncode == 0 and frames, "batch frame against a +05:30, SQL/DMY server", r.stderr)
if frames:
    p = from_frame(frames[0])
    for k in ("executions", "events", "enforcements", "statuses", "actions", "workers",
              "inflight", "changes"):
        t.eq(p[k], o[k], "unchanged under Asia/Kolkata: " + k)
t.done()

"""Every number of the overview (batch mode) equals SQL over the raw rows:
totals, per-status counts, failure rate, per-action counts, worker
transitions, in-flight counts, recent changes — for two ranges and a filter."""

from attune_test import TAP, Cluster
from oracle import overview_suite

t = TAP()
c = Cluster()

overview_suite(t, c)
t.done()

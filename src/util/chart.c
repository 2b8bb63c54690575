/* Chart arithmetic: bucket grouping, largest-remainder shares, rates. */
#include "util/chart.h"

#include "util/spark.h"

int chart_group(int n, int width, int stats_w, bool *stats)
{
	int group = spark_group(n, width > 0 ? width : 1);
	if (stats)
		*stats =
		    stats_w > 0 && width - stats_w > 0 && spark_group(n, width - stats_w) == group;
	return group;
}

void chart_shares(const int64_t *v, int n, int cells, int *out)
{
	int64_t tot = 0;
	for (int i = 0; i < n; i++) {
		out[i] = 0;
		tot += v[i] > 0 ? v[i] : 0;
	}
	if (tot <= 0 || cells <= 0)
		return;
	int left = cells;
	for (int i = 0; i < n; i++) {
		int64_t x = v[i] > 0 ? v[i] : 0;
		out[i] = (int)(x * cells / tot); /* the floor of its quota */
		left -= out[i];
	}
	while (left > 0) {
		/* the largest remainder x * cells - out * tot not yet served */
		int best = -1;
		int64_t best_r = 0;
		for (int i = 0; i < n; i++) {
			int64_t x = v[i] > 0 ? v[i] : 0;
			int64_t r = x * (int64_t)cells - (int64_t)out[i] * tot;
			if (r > best_r) {
				best = i;
				best_r = r;
			}
		}
		if (best < 0)
			break;
		out[best]++;
		left--;
	}
}

int chart_cells(int64_t tot, int64_t max, int height)
{
	if (tot <= 0 || max <= 0 || height <= 0)
		return 0;
	if (tot >= max)
		return height;
	int c = (int)((double)tot * height / (double)max + 0.999999);
	if (c < 1)
		c = 1;
	return c > height ? height : c;
}

int64_t chart_hour_rate(int64_t count, int64_t elapsed_s)
{
	if (elapsed_s < 60 || count < 0)
		return -1;
	/* Over the whole minutes shown beside it ("12 exec in 16m = 45/h"),
	 * so that the note can be checked by hand and changes once a minute. */
	int64_t m = elapsed_s / 60 < 60 ? elapsed_s / 60 : 60;
	return (count * 60 + m / 2) / m;
}

/* The row allocator: minimum heights first, then wanted sizes, then tables share. */
#include "term/layout.h"

void layout_split_rows(int avail, const struct layout_need *need, int n, int *h)
{
	int i, left = avail, tables = 0;
	for (i = 0; i < n; i++) {
		h[i] = left >= need[i].min ? need[i].min : 0;
		left -= h[i];
	}
	for (i = 0; i < n; i++) {
		int more = need[i].first - h[i];
		if (!h[i] || more <= 0)
			continue;
		if (more > left)
			more = left;
		h[i] += more;
		left -= more;
	}
	for (i = 0; i < n; i++) {
		if (!h[i] || !need[i].want) {
			tables += h[i] > 0;
			continue;
		}
		int more = need[i].want - h[i];
		if (more > left)
			more = left;
		h[i] += more;
		left -= more;
	}
	for (i = 0; i < n && tables; i++) {
		if (!h[i] || need[i].want)
			continue;
		int share = left / tables--;
		h[i] += share;
		left -= share;
	}
}

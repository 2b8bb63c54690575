/* The row allocator that stacks panels on a screen of any height. */
#ifndef ATTUNE_LAYOUT_H
#define ATTUNE_LAYOUT_H

/* What a panel asks for: `min` rows to be shown at all; `want` rows it
 * grows to before the tables share the rest; want 0 marks a table.
 * `first`: rows a table needs to show what needs attention (its problem
 * rows), granted after every minimum and before any panel grows. */
struct layout_need {
	int min;
	int want;
	int first;
};

/* Split `avail` rows over `n` panels into h[]: each panel gets its minimum
 * in order while they fit, then the tables their `first` rows, then the fixed panels grow to their
 * wanted size, then the tables share what is left. A zero height hides a panel. */
void layout_split_rows(int avail, const struct layout_need *need, int n, int *h);

#endif

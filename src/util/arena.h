/* A bump allocator: a snapshot's strings and arrays live and die together. */
#ifndef ATTUNE_ARENA_H
#define ATTUNE_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head; /* newest chunk first */
	size_t used_total;        /* bytes handed out, for statistics */
};

/* Zeroed memory, aligned for any type; aborts on out-of-memory. */
void *arena_alloc(struct arena *a, size_t size);
void *arena_calloc(struct arena *a, size_t n, size_t size);
char *arena_strdup(struct arena *a, const char *s);
void arena_free(struct arena *a);

/* Abort with a message when malloc fails: the dashboard cannot go on. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Called before the out-of-memory abort (NULL: nothing to restore). */
void oom_set_restore(void (*restore)(void));
/* printf into a new string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

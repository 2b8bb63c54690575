/* Display width and clipping of untrusted UTF-8 text for terminal cells.
 *
 * The string is cut into units: one printable character plus the zero-width
 * marks attached to it count as separate units of width 0, and anything
 * unprintable becomes the unit "?". tw_width and tw_fit walk the same units,
 * so what is measured is exactly what is drawn. */
#include "util/textwidth.h"

#include <stdint.h>
#include <string.h>
#include <wchar.h>

#define BAD_CP UINT32_C(0xFFFFFFFF)

static bool utf8_mode;

void tw_init(bool utf8)
{
	utf8_mode = utf8;
}

bool tw_utf8(void)
{
	return utf8_mode;
}

/* Decode one sequence at p. An invalid sequence is its longest valid
 * prefix, at least one byte (the Unicode "maximal subpart" practice), so a
 * truncated character costs one '?' and a stray byte one '?' each. The
 * second-byte ranges rule out overlongs, surrogates and > U+10FFFF. A NUL
 * is never a continuation, so decoding never reads past the string. */
static int utf8_next(const unsigned char *p, uint32_t *cp)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	int need;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xC2 || c > 0xF4) {
		*cp = BAD_CP;
		return 1;
	}
	if (c < 0xE0) {
		need = 1;
		v = c & 0x1F;
	} else if (c < 0xF0) {
		need = 2;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else {
		need = 3;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	}
	for (int i = 1; i <= need; i++) {
		if (p[i] < lo || p[i] > hi) {
			*cp = BAD_CP;
			return i;
		}
		v = v << 6 | (p[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return need + 1;
}

/* Columns for a code point, or -1 when it must be shown as '?'. */
static int cp_width(uint32_t cp)
{
	if (cp == BAD_CP || cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		return -1;
	if (cp < 0x7F)
		return 1;
	if (!utf8_mode)
		return -1;
	return wcwidth((wchar_t)cp); /* -1 when unprintable */
}

struct unit {
	const char *bytes; /* what to draw: into the input, or "?" */
	int len;
	int width;
};

struct cursor {
	const unsigned char *p;
	bool started; /* a base character exists for zero-width marks */
};

/* Next unit, false at the end of the string. */
static bool next_unit(struct cursor *c, struct unit *u)
{
	while (*c->p) {
		const char *start = (const char *)c->p;
		uint32_t cp;
		int n = utf8_next(c->p, &cp);
		int w = cp_width(cp);

		c->p += n;
		/* A leading mark has nothing to attach to and would merge with
		 * whatever the caller drew before us. */
		if (w == 0 && !c->started)
			continue;
		c->started = true;
		if (w < 0) {
			u->bytes = "?";
			u->len = 1;
			u->width = 1;
		} else {
			u->bytes = start;
			u->len = n;
			u->width = w;
		}
		return true;
	}
	return false;
}

static int measure(const char *s, size_t *bytes)
{
	struct cursor c = {(const unsigned char *)(s ? s : ""), false};
	struct unit u;
	int w = 0;

	*bytes = 0;
	while (next_unit(&c, &u)) {
		w += u.width;
		*bytes += (size_t)u.len;
	}
	return w;
}

int tw_width(const char *s)
{
	size_t bytes;

	return measure(s, &bytes);
}

struct out {
	char *dst;
	size_t size;
	size_t pos;
};

/* Append n bytes if they fit while leaving `reserve` bytes and the NUL. */
static bool put(struct out *o, const char *b, size_t n, size_t reserve)
{
	if (o->pos + n + reserve >= o->size)
		return false;
	memcpy(o->dst + o->pos, b, n);
	o->pos += n;
	o->dst[o->pos] = '\0';
	return true;
}

/* Text too wide (or too long for dst): keep what fits in cols - 1 with room
 * for the ellipsis, then pad the gap a dropped wide glyph leaves (only with
 * pad, so an unpadded result keeps the ellipsis next to the text). */
static int fit_clipped(struct out *o, const char *s, int cols, bool pad)
{
	const char *ell = utf8_mode ? "\xe2\x80\xa6" : "~";
	size_t ell_len = strlen(ell);
	struct cursor c = {(const unsigned char *)s, false};
	struct unit u;
	int w = 0;

	if (ell_len >= o->size)
		return 0;
	while (next_unit(&c, &u) && w + u.width <= cols - 1 &&
	       put(o, u.bytes, (size_t)u.len, ell_len))
		w += u.width;
	while (pad && w < cols - 1 && put(o, " ", 1, ell_len))
		w++;
	put(o, ell, ell_len, 0);
	return w + 1;
}

int tw_fit(char *dst, size_t dstsize, const char *s, int cols, bool pad)
{
	struct out o = {dst, dstsize, 0};
	struct cursor c;
	struct unit u;
	size_t bytes;
	int w;

	if (!dst || dstsize == 0)
		return 0;
	dst[0] = '\0';
	if (cols <= 0)
		return 0;
	if (!s)
		s = "";
	if (measure(s, &bytes) > cols || bytes >= dstsize)
		return fit_clipped(&o, s, cols, pad);

	c = (struct cursor){(const unsigned char *)s, false};
	w = 0;
	while (next_unit(&c, &u)) {
		put(&o, u.bytes, (size_t)u.len, 0);
		w += u.width;
	}
	while (pad && w < cols && put(&o, " ", 1, 0))
		w++;
	return w;
}

int tw_fit_right(char *dst, size_t dstsize, const char *s, int cols)
{
	int w = tw_fit(dst, dstsize, s, cols, false);
	size_t len, gap;

	if (!dst || dstsize == 0 || w >= cols)
		return w;
	len = strlen(dst);
	gap = (size_t)(cols - w);
	if (len + gap >= dstsize)
		gap = dstsize - 1 - len;
	memmove(dst + gap, dst, len + 1);
	memset(dst, ' ', gap);
	return w + (int)gap;
}

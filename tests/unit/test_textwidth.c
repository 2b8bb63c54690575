/* Unit tests for src/textwidth.c. */
#include "util/textwidth.h"
#include "tap.h"

#include <locale.h>

#define ELL      "\xe2\x80\xa6"                                     /* U+2026 */
#define CJK      "\xe6\x95\xb0\xe6\x8d\xae\xe5\x90\x8c\xe6\xad\xa5" /* 数据同步 */
#define SHU      "\xe6\x95\xb0"                                     /* 数 */
#define JU       "\xe6\x8d\xae"                                     /* 据 */
#define TONG     "\xe5\x90\x8c"                                     /* 同 */
#define ACUTE    "\xcc\x81"                                         /* U+0301 combining acute */
#define GRIN     "\xf0\x9f\x98\x80"                                 /* U+1F600 */
#define E_ACUTE3 "e" ACUTE "e" ACUTE "e" ACUTE

/* tw_fit into a roomy buffer; checks both the text and the width. */
static void fit(const char *s, int cols, bool pad, const char *want, int want_w, const char *what)
{
	char buf[256];
	int w = tw_fit(buf, sizeof(buf), s, cols, pad);

	is_str(buf, want, what);
	is_int(w, want_w, "  width returned");
	is_int(tw_width(buf), want_w, "  width of the result");
}

static void width(const char *s, int want, const char *what)
{
	is_int(tw_width(s), want, what);
}

static void test_utf8_width(void)
{
	width("", 0, "empty string");
	width(NULL, 0, "NULL string");
	width("abc", 3, "ASCII");
	width(CJK, 8, "CJK is two columns each");
	width(GRIN, 2, "emoji is two columns");
	width("e" ACUTE, 1, "combining mark is zero width");
	width(ACUTE "x", 1, "leading combining mark dropped");
	width("\x1b[31mred", 8, "ESC counts as one '?'");
	width("a\tb\nc\rd", 7, "tab, newline, CR are one column each");
	width("\xc2\x9b"
	      "1m",
	      3, "C1 CSI is one '?'");
	width("\xe2\x80\xa8", 1, "line separator (wcwidth -1) is one '?'");
	width("\xef\xbf\xbf", 1, "noncharacter U+FFFF is one '?'");
}

static void test_utf8_sanitize(void)
{
	fit("a,\"b\"'c'", 20, false, "a,\"b\"'c'", 8, "commas and quotes kept");
	fit("\x1b[31mred\x1b[0m", 20, false, "?[31mred?[0m", 12, "ESC never survives");
	fit("x\x7fy", 5, false, "x?y", 3, "DEL becomes '?'");
	fit("x\x01y\x1fz", 9, false, "x?y?z", 5, "C0 controls become '?'");
	fit("\xc2\x85\xc2\x9f|", 9, false, "??|", 3, "C1 controls become '?'");
	fit("\xc2\xa0|", 9, false, "\xc2\xa0|", 2, "U+00A0 (first after C1) is kept");
	fit("a\xff"
	    "b",
	    9, false, "a?b", 3, "invalid byte becomes '?'");
	fit("\x80\x80", 9, false, "??", 2, "stray continuation bytes: one '?' each");
	fit("\xe6\x95"
	    "X",
	    9, false, "?X", 2, "truncated sequence is one '?'");
	fit("\xf0\x9f\x98", 9, false, "?", 1, "truncated emoji at the end is one '?'");
	fit("\xc0\xaf", 9, false, "??", 2, "overlong 2-byte rejected");
	fit("\xe0\x80\xaf", 9, false, "???", 3, "overlong 3-byte rejected");
	fit("\xf0\x80\x80\xaf", 9, false, "????", 4, "overlong 4-byte rejected");
	fit("\xed\xa0\x80", 9, false, "???", 3, "surrogate rejected");
	fit("\xf4\x90\x80\x80", 9, false, "????", 4, "above U+10FFFF rejected");
	fit("\xf5\x80\x80\x80", 9, false, "????", 4, "F5 lead byte rejected");
	fit("\xf4\x8f\xbf\xbf", 9, false, "?", 1, "U+10FFFF valid but unprintable");
	fit("\xed\x9e\xa3", 9, false, "\xed\x9e\xa3", 2, "U+D7A3 (just below surrogates) kept");
	fit("\xe0\xa0\x80", 9, false, "\xe0\xa0\x80", 1, "U+0800 (shortest 3-byte) kept");
	fit("\xf0\x90\x80\x80", 9, false, "\xf0\x90\x80\x80", 1, "U+10000 (shortest 4-byte) kept");
	fit("\xc2\x80" ACUTE, 9, false, "?" ACUTE, 1, "mark after a replaced char stays attached");
	fit(ACUTE ACUTE "x" ACUTE, 9, false, "x" ACUTE, 1, "leading marks dropped, later kept");
	fit(ACUTE, 3, true, "   ", 3, "only a mark: nothing but padding");
	fit("\xef\xbb\xbfhi", 9, false, "hi", 2, "leading BOM (zero width) dropped");
}

static void test_utf8_fit(void)
{
	fit("hello world", 5, false, "hell" ELL, 5, "clipped with ellipsis");
	fit("hello world", 5, true, "hell" ELL, 5, "clipped, pad changes nothing");
	fit("hello", 5, false, "hello", 5, "exact fit: no ellipsis");
	fit("hello", 0, true, "", 0, "cols 0 gives empty");
	fit("hello", -3, true, "", 0, "negative cols give empty");
	fit("hello", 1, false, ELL, 1, "cols 1: ellipsis only");
	fit("hello", 2, false, "h" ELL, 2, "cols 2: one char and ellipsis");
	fit("ab", 1, false, ELL, 1, "two chars into one column");
	fit("a", 1, false, "a", 1, "one char into one column");
	fit("abc", 5, true, "abc  ", 5, "padded to cols");
	fit("abc", 5, false, "abc", 3, "not padded");
	fit("", 3, true, "   ", 3, "empty padded");
	fit(NULL, 2, true, "  ", 2, "NULL padded");

	fit(CJK, 8, false, CJK, 8, "CJK exact fit");
	fit(CJK, 9, true, CJK " ", 9, "CJK padded");
	fit(CJK, 7, false, SHU JU TONG ELL, 7, "CJK clipped at a boundary");
	fit(CJK, 5, false, SHU JU ELL, 5, "CJK clipped at a boundary (5)");
	fit(CJK, 4, true, SHU " " ELL, 4, "straddling glyph dropped, gap padded");
	fit(CJK, 4, false, SHU ELL, 3, "straddling glyph dropped, no pad");
	fit(CJK, 6, true, SHU JU " " ELL, 6, "straddling glyph dropped (6)");
	fit(CJK, 3, false, SHU ELL, 3, "CJK into 3");
	fit(CJK, 2, true, " " ELL, 2, "CJK into 2, padded");
	fit(CJK, 2, false, ELL, 1, "CJK into 2, not padded");
	fit(CJK, 1, true, ELL, 1, "CJK into 1");
	fit(GRIN GRIN, 3, true, GRIN ELL, 3, "emoji clipped");
	fit(GRIN GRIN, 2, true, " " ELL, 2, "emoji into 2");
	fit("a" GRIN, 2, true, "a" ELL, 2, "emoji straddling the edge");

	fit(E_ACUTE3, 3, false, E_ACUTE3, 3, "marks kept when fitting");
	fit(E_ACUTE3, 2, false, "e" ACUTE ELL, 2, "mark stays with its kept base");
	fit("e" ACUTE "x" ACUTE ACUTE "y", 2, false, "e" ACUTE ELL, 2,
	    "marks of a dropped base are dropped");
}

static void test_small_dst(void)
{
	char buf[16];
	int w;

	w = tw_fit(buf, 7, "abcdef", 10, false);
	is_str(buf, "abcdef", "6 bytes fit in 7");
	is_int(w, 6, "  width 6");
	w = tw_fit(buf, 6, "abcdef", 10, false);
	is_str(buf, "ab" ELL, "short dst clips at a character, keeps the ellipsis");
	is_int(w, 3, "  width 3");
	w = tw_fit(buf, 6, CJK, 20, false);
	is_str(buf, ELL, "no room for a CJK char and the ellipsis");
	w = tw_fit(buf, 7, CJK, 20, false);
	is_str(buf, SHU ELL, "room for one CJK char and the ellipsis");
	is_int(w, 3, "  width 3");
	w = tw_fit(buf, 5, "ab", 10, true);
	is_str(buf, "ab  ", "padding stops at the dst size");
	is_int(w, 4, "  width 4");
	w = tw_fit(buf, 3, "abcdef", 10, false);
	is_str(buf, "", "dst too small for the ellipsis gives empty");
	is_int(w, 0, "  width 0");
	w = tw_fit(buf, 1, "a", 10, true);
	is_str(buf, "", "dstsize 1 gives empty");
	is_int(tw_fit(NULL, 0, "a", 10, true), 0, "NULL dst returns 0");
	memset(buf, 'Z', sizeof(buf));
	tw_fit(buf, 4, "a" ACUTE "b", 10, false);
	ok(buf[3] == '\0' && buf[4] == 'Z', "never writes past dstsize");
}

static void test_right(void)
{
	char buf[64];
	int w;

	w = tw_fit_right(buf, sizeof(buf), "abc", 5);
	is_str(buf, "  abc", "right-aligned");
	is_int(w, 5, "  width 5");
	w = tw_fit_right(buf, sizeof(buf), "hello world", 5);
	is_str(buf, "hell" ELL, "right-aligned, clipped");
	w = tw_fit_right(buf, sizeof(buf), CJK, 4);
	is_str(buf, " " SHU ELL, "right-aligned, straddling glyph gap on the left");
	is_int(w, 4, "  width 4");
	w = tw_fit_right(buf, sizeof(buf), "abc", 0);
	is_str(buf, "", "right, cols 0");
	is_int(w, 0, "  width 0");
	w = tw_fit_right(buf, sizeof(buf), "", 2);
	is_str(buf, "  ", "right, empty string");
	w = tw_fit_right(buf, 4, "a", 6);
	is_str(buf, "  a", "right, padding limited by dst");
	is_int(w, 3, "  width 3");
}

static void test_ascii(void)
{
	tw_init(false);
	ok(!tw_utf8(), "ASCII mode");
	width(CJK, 4, "ASCII: each CJK char is one '?'");
	fit(CJK, 9, false, "????", 4, "ASCII: CJK replaced");
	fit("na\xc3\xafve", 9, false, "na?ve", 5, "ASCII: accented letter replaced");
	fit("e" ACUTE, 9, false, "e?", 2, "ASCII: combining mark is a '?'");
	fit(ACUTE "e", 9, false, "?e", 2, "ASCII: leading mark is a '?'");
	fit("\xe6\x95"
	    "X\xff",
	    9, false, "?X?", 3, "ASCII: invalid bytes replaced");
	fit("\x1b[1m", 9, false, "?[1m", 4, "ASCII: ESC replaced");
	fit("hello", 3, false, "he~", 3, "ASCII: tilde ellipsis");
	fit(CJK, 3, true, "??~", 3, "ASCII: CJK clipped");
	fit("hello", 1, false, "~", 1, "ASCII: cols 1");
	fit("a,\"b\"", 9, true, "a,\"b\"    ", 9, "ASCII: quotes kept, padded");
}

int main(void)
{
	/* wcwidth() needs a UTF-8 LC_CTYPE; C.UTF-8 ships with Debian's libc. */
	ok(setlocale(LC_CTYPE, "C.UTF-8") != NULL, "C.UTF-8 locale available");
	tw_init(true);
	ok(tw_utf8(), "UTF-8 mode");
	test_utf8_width();
	test_utf8_sanitize();
	test_utf8_fit();
	test_small_dst();
	test_right();
	test_ascii();
	return done_testing();
}

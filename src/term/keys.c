/* The key table expanded: bindings with their curses codes, and the lookup. */
#include "term/keys.h"

#include "term/draw.h"

#define CH(c)                                                                                      \
	{                                                                                          \
		false, (unsigned)(c)                                                               \
	}
#define KC(k)                                                                                      \
	{                                                                                          \
		true, (unsigned)(k)                                                                \
	}

const struct key_binding key_table[] = {
#define X(a, l, h, v, ...) {a, l, h, v, {__VA_ARGS__}},
    KEY_TABLE(X)
#undef X
};

const int key_table_len = (int)(sizeof key_table / sizeof *key_table);

enum key_action key_action_for(unsigned view, bool is_keycode, unsigned int ch)
{
	for (int i = 0; i < key_table_len; i++) {
		const struct key_binding *b = &key_table[i];
		for (int k = 0; k < KEY_MAX_CODES && (b->codes[k].ch || b->codes[k].is_keycode);
		     k++)
			if (b->codes[k].is_keycode == is_keycode && b->codes[k].ch == ch)
				return b->views & view ? b->act : ACT_NONE;
	}
	return ACT_NONE;
}

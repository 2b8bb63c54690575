/* Key codes to actions: the table behind the key dispatch and the help. */
#include "term/keys.h"

#include <curses.h>

const struct key_help key_help_table[] = {
#define X(a, k, h) {k, h},
    KEY_ACTIONS(X)
#undef X
        {0, 0},
};

enum key_action key_action_for(int is_keycode, unsigned int ch)
{
	if (is_keycode) {
		switch (ch) {
		case KEY_UP:
			return ACT_UP;
		case KEY_DOWN:
			return ACT_DOWN;
		case KEY_PPAGE:
			return ACT_PAGE_UP;
		case KEY_NPAGE:
			return ACT_PAGE_DOWN;
		case KEY_ENTER:
			return ACT_ENTER;
		case KEY_BACKSPACE:
			return ACT_BACK;
		case KEY_BTAB:
			return ACT_PREV_PANEL;
		case KEY_HOME:
			return ACT_HOME;
		case KEY_END:
			return ACT_END;
		default:
			return ACT_NONE;
		}
	}
	switch (ch) {
	case 'q':
		return ACT_QUIT;
	case '?':
		return ACT_HELP;
	case ' ':
		return ACT_REFRESH;
	case 'p':
		return ACT_PAUSE;
	case '+':
		return ACT_FASTER;
	case '-':
		return ACT_SLOWER;
	case '1':
		return ACT_RANGE_6H;
	case '2':
		return ACT_RANGE_12H;
	case '3':
		return ACT_RANGE_24H;
	case '4':
		return ACT_RANGE_2D;
	case '5':
		return ACT_RANGE_7D;
	case '\t':
		return ACT_NEXT_PANEL;
	case 'k':
		return ACT_UP;
	case 'j':
		return ACT_DOWN;
	case '\n':
	case '\r':
		return ACT_ENTER;
	case 27:
	case 127:
	case 8:
		return ACT_BACK;
	case '/':
		return ACT_FILTER;
	case ':':
		return ACT_ENTITY;
	case 'e':
		return ACT_EXPORT;
	case 's':
		return ACT_SORT;
	case 't':
		return ACT_STORAGE;
	case 'g':
		return ACT_HOME;
	case 'G':
		return ACT_END;
	case 'o':
		return ACT_OPS;
	case 'u':
		return ACT_UTC;
	default:
		return ACT_NONE;
	}
}

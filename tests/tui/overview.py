"""The dashboard on a real terminal (tmux): panels, keys, resize, tiny
sizes, LANG=C and NO_COLOR."""

import re
import time
import unicodedata

from attune_test import BIN, TAP, Cluster, Tmux
from oracle import oracle

t = TAP()
c = Cluster()
o = oracle(c, 24)


def start(width=160, height=50, lang="C.UTF-8", extra_env=None, args=""):
    env = c.env(LANG=lang, LC_ALL=lang, TERM="xterm-256color")
    env.update(extra_env or {})
    return Tmux("%s -r 0.5 %s" % (BIN, args), width, height, env)


# ---- full-size screen: panels and the worker/action figures
tm = start()
try:
    screen = tm.wait_for(r"Workers \(\d+\)")
    t.ok("Top actions" in screen and "Throughput" in screen and "Recent status changes" in screen
         and "Status, failure rate" in screen, "every panel is on screen", screen)
    t.ok(re.search(r"exec %d\b" % o["executions"], screen) is not None,
         "header executions total equals the oracle", screen.splitlines()[:2])
    # Worker panel: every worker name, and its transitions count.
    tm.send("Tab")
    shown = {}
    for name in o["workers"]:
        for l in screen.splitlines():
            # NAME STATUS HEARTBEAT TRANS: the count follows the age.
            m = re.search(re.escape(name) + r"\s+\S+\s+\S+\s+(\d+)", l)
            if m:
                shown[name] = int(m.group(1))
    t.eq(shown, o["workers"], "worker rows show the oracle's transitions")

    # Wide glyphs keep columns aligned: the STATUS column starts at the same
    # display column on every worker row, the hostile CJK name's included.
    def display_col(line, idx):
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line[:idx])
    cols = set()
    for name in o["workers"]:
        for l in screen.splitlines():
            m = re.search(re.escape(name) + r"\s+(active|inactive|busy|error)\b", l)
            if m:
                cols.add(display_col(l, m.start(1)))
    t.ok(len(cols) == 1 and any(ord(ch) > 0x2e80 for n in o["workers"] for ch in n),
         "status column aligned across rows incl. a CJK name", cols)
    # Top action rows: name, then executions, completed, failed, timeout.
    want, got = {}, {}
    for ref, counts in sorted(o["actions"].items(), key=lambda kv: -kv[1][0])[:5]:
        want[ref] = list(counts)
        for l in screen.splitlines():
            i = l.find(ref + " ")
            nums = re.findall(r"\d+", l[i + len(ref):])[:4] if i >= 0 else []
            if len(nums) == 4 and ref not in got:
                got[ref] = [int(x) for x in nums]
    t.eq(got, want, "top five action rows equal the oracle")
    top = max(o["actions"].items(), key=lambda kv: kv[1][0])

    # ---- keys
    tm.send("?")
    t.ok(tm.wait_for("attune-top keys") is not None, "? opens the help overlay")
    tm.send("Escape")
    time.sleep(0.3)
    t.ok("attune-top keys" not in tm.capture(), "Esc closes the help")
    for key, label in (("1", "6h"), ("2", "12h"), ("4", "2d"), ("5", "7d"), ("3", "24h")):
        tm.send(key)
        t.ok(tm.wait_for(r"range %s\b[\s\S]*Throughput %s," % (label, label), 10) is not None,
             "key %s → range %s (header and data)" % (key, label))
    tm.send("p")
    t.ok(tm.wait_for("PAUSED", 5) is not None, "p pauses")
    tm.send("p")
    t.ok(tm.wait_for(r"live, data", 5) is not None, "p resumes")
    tm.send("-")
    t.ok(tm.wait_for(r"every 1s", 5) is not None, "- steps the ladder 0.5 s -> 1 s")
    tm.send("+")
    t.ok(tm.wait_for(r"every 0\.5s", 5) is not None, "+ steps back to 0.5 s")
    tm.send("-")
    t.ok(tm.wait_for(r"every 1s", 5) is not None, "- again: 1 s")
    tm.send("Space")
    tm.send("BTab")  # s sorts the focused table: the top actions
    tm.send("s")
    t.ok(tm.wait_for("sort: ok", 5) is not None, "s sorts by the next column (OK)")
    tm.send("s")
    t.ok(tm.wait_for("sort: failed", 5) is not None, "s again: FAILED")
    # Enter on the first top action filters every panel to it.
    for _ in range(4):
        tm.send("Tab")  # round the four tables, back on the actions
    tm.send("s", "s", "s", "s")  # timeout, failure %, name, back to executions
    tm.wait_for("sort: executions", 5)
    scr = tm.capture()
    first = re.search(r"^ACTION.*\n(\S+)", scr, re.M) or re.search(r"ACTION.*\n(\S+)", scr)
    tm.send("Enter")
    scr = tm.wait_for(r"exec \d+ .*filter: ", 5)
    m = re.search(r"exec \d+ .*filter: (\S+)", scr)
    t.ok(first is not None and m is not None and m.group(1) == first.group(1),
         "Enter filters every panel to the selected action", scr)
    t.ok(re.search(r"Top actions \(1\)", scr) is not None, "the filtered top actions has one row",
         scr)
    tm.send("Escape")
    t.ok(tm.wait_for(r"filter cleared", 5) is not None, "Esc clears the filter")
    tm.send("f")
    tm.wait_for("filter \\(exact")
    wname = sorted(o["workers"])[0]
    tm.send_literal(wname)
    tm.send("Enter")
    scr = tm.wait_for(r"Workers \(1\)", 10)
    t.ok(wname[:15] in scr, "f filters by a worker ref", scr)
    tm.send("BSpace")
    tm.wait_for(r"Workers \((\d\d+)\)", 10)
    for key in ("j", "Down", "k", "Up", "NPage", "PPage", "BTab", "e", "g", "G", ":"):
        tm.send(key)
    t.ok(tm.wait_for(r"open \(execution:ID", 5) is not None, ": opens the entity prompt")
    tm.send("Escape")
    time.sleep(0.5)
    t.ok("Top actions" in tm.capture(), "movement and not-yet keys keep the screen alive")

    # ---- resize to 50x14 and back
    tm.resize(50, 14)
    scr = tm.wait_for(r"attune-top", 5)
    time.sleep(0.6)
    scr = tm.capture()
    t.ok(len(scr.splitlines()) <= 14 and all(len(l) <= 50 for l in scr.splitlines()),
         "50x14 fits", scr)
    tm.resize(160, 50)
    time.sleep(0.8)
    t.ok("Recent status changes" in tm.capture(), "back to 160x50 shows every panel")
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "q exits with status 0")
finally:
    tm.kill()

# ---- 80x24 shows every panel in reduced form
tm = start(80, 24)
try:
    scr = tm.wait_for(r"Recent status changes")
    t.ok(all(s in scr for s in ("Throughput", "Status", "Top actions", "Workers",
                                "Recent status changes")), "80x24 shows every panel", scr)
    # The help overlay scrolls: every binding can be read at 80x24.
    bindings = ["q", "?", "space", "p", "+", "-", "1", "2", "3", "4", "5", "Tab", "S-Tab",
                "Up/k", "Down/j", "PgUp", "PgDn", "g/Home", "G/End", "Enter", "Esc/Bksp",
                "/", "n", "N", "f", "o", "u", ":", "e", "s", "S", "t"]
    seen = set()
    tm.send("?")
    scr = tm.wait_for("attune-top keys") or ""
    for _ in range(len(bindings)):
        for b in bindings:
            if "attune-top keys" in scr and re.search(r"  %s {2,}[a-z]" % re.escape(b), scr):
                seen.add(b)
        tm.send("j")
        time.sleep(0.1)
        scr = tm.capture()
    t.eq(sorted(b for b in bindings if b not in seen), [],
         "80x24: every binding can be reached by scrolling the help")
    tm.send("Escape")
    time.sleep(0.3)
    tm.send("q")
    tm.wait_dead(5)
finally:
    tm.kill()

# ---- 20x6 does not crash
tm = start(20, 6)
try:
    time.sleep(1.5)
    scr = tm.capture()
    t.ok(tm.pane_dead() is None and "attune-top" in scr, "20x6 runs", scr)
    tm.send("?")
    tm.send("Escape")
    tm.resize(12, 3)
    time.sleep(0.5)
    tm.resize(20, 6)
    time.sleep(0.5)
    t.ok(tm.pane_dead() is None, "still alive after shrinking to 12x3")
    tm.send("q")
    t.eq(tm.wait_dead(5), 0, "q at 20x6 exits 0")
finally:
    tm.kill()

# ---- LANG=C: no multibyte glyph on screen
tm = start(160, 50, lang="C")
try:
    scr = tm.wait_for(r"Workers \(\d+\)")
    time.sleep(0.6)
    scr = tm.capture()
    t.ok(all(ord(ch) < 128 for ch in scr), "LANG=C: ASCII only on screen",
         [l for l in scr.splitlines() if any(ord(ch) >= 128 for ch in l)][:5])
    t.ok("?" in scr, "LANG=C: multibyte names shown as '?'")
    tm.send("q")
    tm.wait_dead(5)
finally:
    tm.kill()

# ---- 8-colour and no-colour terminals render every panel
for term in ("xterm", "vt100"):
    tm = Tmux("env TERM=%s %s -r 0.5" % (term, BIN), 120, 40, c.env(LANG="C.UTF-8"))
    try:
        scr = tm.wait_for(r"Recent status changes", 20)
        t.ok("Top actions" in scr, "TERM=%s: every panel drawn" % term)
        tm.send("q")
        t.eq(tm.wait_dead(5), 0, "TERM=%s: q exits 0" % term)
    finally:
        tm.kill()

# ---- NO_COLOR: no colour attributes; with colours: some
# A colour SGR parameter (30-37, 38;…, 40-47, 48;…, 90-97, 100-107); 39/49
# only reset to the default colours.
SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def colours(text):
    found = []
    for params in SGR.findall(text):
        for p in re.split(r"[;:]", params):
            if p.isdigit() and (30 <= int(p) <= 38 or 40 <= int(p) <= 48 or 90 <= int(p) <= 97
                                or 100 <= int(p) <= 107):
                found.append(params)
                break
    return found


class _Colour:
    def search(self, text):
        return colours(text) or None

    def findall(self, text):
        return colours(text)


colour = _Colour()
tm = start(160, 50, extra_env={"NO_COLOR": "1"})
try:
    tm.wait_for(r"Workers \(\d+\)")
    time.sleep(0.6)
    scr = tm.capture(escapes=True)
    t.ok(colour.search(scr) is None, "NO_COLOR=1: no colour escape in the pane",
         colour.findall(scr)[:5])
    tm.send("q")
    tm.wait_dead(5)
finally:
    tm.kill()
tm = start(160, 50, args="--no-color")
try:
    tm.wait_for(r"Workers \(\d+\)")
    time.sleep(0.6)
    t.ok(colour.search(tm.capture(escapes=True)) is None, "--no-color: no colour escape")
    tm.send("q")
    tm.wait_dead(5)
finally:
    tm.kill()
tm = start(160, 50)
try:
    tm.wait_for(r"Workers \(\d+\)")
    time.sleep(0.6)
    t.ok(colour.search(tm.capture(escapes=True)) is not None, "colours are used by default")
    tm.send("q")
    tm.wait_dead(5)
finally:
    tm.kill()
t.done()

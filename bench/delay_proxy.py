#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that delays every chunk by a fixed one-way
latency (so a round trip costs 2×delay) and counts round trips: a new
"flight" starts each time the client sends after having received data.

Usage: delay_proxy.py LISTEN_PORT UPSTREAM DELAY_MS STATS_FILE
UPSTREAM is host:port or a Unix socket path (…/.s.PGSQL.5432).
Writes "flights bytes_up bytes_down" to STATS_FILE after every flight."""

import asyncio
import sys
import time

port, upstream, delay = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]) / 1000.0
stats_file = sys.argv[4]
stats = {"flights": 0, "up": 0, "down": 0, "last": "down"}


def dump():
    with open(stats_file, "w") as f:
        f.write("%d %d %d\n" % (stats["flights"], stats["up"], stats["down"]))


async def pump(reader, writer, direction):
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            if data is None:
                writer.close()
                return
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()

    task = asyncio.create_task(deliver())
    while True:
        data = await reader.read(65536)
        if not data:
            await queue.put((0, None))
            break
        if direction == "up":
            if stats["last"] == "down":
                stats["flights"] += 1
            stats["up"] += len(data)
        else:
            stats["down"] += len(data)
        stats["last"] = direction
        dump()
        await queue.put((time.monotonic() + delay, data))
    await task


async def handle(cr, cw):
    if upstream.startswith("/"):
        sr, sw = await asyncio.open_unix_connection(upstream)
    else:
        h, p = upstream.rsplit(":", 1)
        sr, sw = await asyncio.open_connection(h, int(p))
    stats["last"] = "down"
    await asyncio.gather(pump(cr, sw, "up"), pump(sr, cw, "down"), return_exceptions=True)


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", port)
    dump()
    async with server:
        await server.serve_forever()


asyncio.run(main())

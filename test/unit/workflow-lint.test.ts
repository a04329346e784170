import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The lint rules that keep workflow code deterministic and the contract between workflows and
 * activities one-way must actually fire. Type-aware linting reads files from disk, so the probes are
 * real short-lived files under src/<folder>, linted in one run.
 */
const ROOT = path.resolve(__dirname, '..', '..');
/** Probe name → [folder under src/, code]. */
const PROBES: Record<string, [string, string]> = {
  'a Node built-in': ['workflows', "import { readFileSync } from 'node:fs'; export const x = readFileSync;"],
  'a bare built-in': ['workflows', "import http from 'http'; export const x = http;"],
  'an HTTP client': ['workflows', "import { request } from 'undici'; export const x = request;"],
  'activities as values': ['workflows', "import { createActivities as x } from '../activities'; export { x };"],
  'activities as types': ['workflows', "import type { ActivityDeps as X } from '../activities'; export type { X };"],
  ticketing: ['workflows', "import { isPermanent } from '../ticketing/errors'; export const x = isPermanent;"],
  'the contract and the SDK': [
    'workflows',
    [
      "import { sleep } from '@temporalio/workflow';",
      "import { DEFAULT_POLICY } from '../contract';",
      "import { HasuraOp } from '../contract/search-attributes';",
      'export const x = [sleep, DEFAULT_POLICY, HasuraOp];',
    ].join('\n'),
  ],
  'contract: a Node built-in': ['contract', "import { createHash } from 'node:crypto'; export const x = createHash;"],
  'contract: project code': ['contract', "import type { Logger } from '../logging'; export type X = Logger;"],
  'contract: the SDK': ['contract', "import { defineQuery as x } from '@temporalio/workflow'; export { x };"],
  'activities: workflows as types': ['activities', "import type { RunPolicy as X } from '../workflows/run-policy';"],
};
const rulesByProbe = new Map<string, string[]>();

beforeAll(() => {
  const files = Object.entries(PROBES).map(([name, [folder, code]], i) => {
    const file = path.join(ROOT, 'src', folder, `lint-probe-${process.pid}-${i}.ts`);
    writeFileSync(file, code);
    return { name, file };
  });
  try {
    const eslint = path.join(ROOT, 'node_modules', '.bin', 'eslint');
    const run = spawnSync(eslint, ['--format', 'json', ...files.map((f) => f.file)], { cwd: ROOT, encoding: 'utf8' });
    const results = JSON.parse(run.stdout) as { filePath: string; messages: { ruleId: string | null }[] }[];
    for (const { name, file } of files)
      rulesByProbe.set(
        name,
        results.find((r) => r.filePath === file)!.messages.map((m) => String(m.ruleId)),
      );
  } finally {
    for (const { file } of files) rmSync(file, { force: true });
  }
}, 60_000);

test.each([
  'a Node built-in',
  'a bare built-in',
  'an HTTP client',
  'activities as values',
  'activities as types',
  'ticketing',
  'contract: a Node built-in',
  'contract: project code',
  'activities: workflows as types',
])('when %s is imported where it must not be, then lint fails', (name) => {
  expect(rulesByProbe.get(name)).toContain('no-restricted-imports');
});

test.each(['the contract and the SDK', 'contract: the SDK'])('when %s is imported, then lint passes', (name) => {
  expect(rulesByProbe.get(name)).toEqual([]);
});

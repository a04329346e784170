import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The lint rule that keeps workflow code deterministic must actually fire. Type-aware linting reads
 * files from disk, so the probes are real short-lived files under src/workflows, linted in one run.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const PROBES: Record<string, string> = {
  'a Node built-in': "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
  'a bare built-in': "import http from 'http';\nexport const x = http;\n",
  'an HTTP client': "import { request } from 'undici';\nexport const x = request;\n",
  'activities as values': "import { createActivities } from '../activities';\nexport const x = createActivities;\n",
  'activities as types': "import type { BridgeActivities } from '../activities';\nexport type X = BridgeActivities;\n",
};
const rulesByProbe = new Map<string, string[]>();

beforeAll(() => {
  const files = Object.entries(PROBES).map(([name, code], i) => {
    const file = path.join(ROOT, 'src', 'workflows', `lint-probe-${process.pid}-${i}.ts`);
    writeFileSync(file, code);
    return { name, file };
  });
  try {
    const run = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'eslint'), ['--format', 'json', ...files.map((f) => f.file)], { cwd: ROOT, encoding: 'utf8' });
    const results = JSON.parse(run.stdout) as { filePath: string; messages: { ruleId: string | null }[] }[];
    for (const { name, file } of files) rulesByProbe.set(name, results.find((r) => r.filePath === file)!.messages.map((m) => String(m.ruleId)));
  } finally {
    for (const { file } of files) rmSync(file, { force: true });
  }
}, 60_000);

test.each(['a Node built-in', 'a bare built-in', 'an HTTP client', 'activities as values'])('when workflow code imports %s, then lint fails', (name) => {
  expect(rulesByProbe.get(name)).toContain('no-restricted-imports');
});

test('when workflow code imports activities as types only, then lint passes', () => {
  expect(rulesByProbe.get('activities as types')).toEqual([]);
});

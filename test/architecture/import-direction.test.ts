import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The house rule that keeps the code readable: imports point one way (api → workflows/activities →
 * contract). Reads every import of src/ and dev/ (type-only imports too: a type import is still a
 * dependency a reader must follow) and checks the folder graph.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/g;

interface Edge {
  from: string;
  to: string;
  file: string;
  spec: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** `src/ticketing/jira/client.ts` → `src/ticketing` (depth 2); a file above that depth is its own node. */
function folderOf(file: string, depth = 2): string {
  const parts = path.relative(ROOT, file).replace(/\.ts$/, '').split(path.sep);
  return parts.length > depth ? parts.slice(0, depth).join('/') : parts.join('/');
}

function edges(depth = 2): Edge[] {
  const files = [...sourceFiles(path.join(ROOT, 'src')), ...sourceFiles(path.join(ROOT, 'dev'))];
  return files.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(IMPORT)].flatMap((match) => {
      const spec = match[1] ?? match[2];
      if (!spec.startsWith('.')) return [];
      const target = path.resolve(path.dirname(file), spec);
      const to = path.relative(ROOT, target).startsWith('..') ? spec : folderOf(resolveFile(target), depth);
      const from = folderOf(file, depth);
      return from === to ? [] : [{ from, to, file: path.relative(ROOT, file), spec }];
    });
  });
}

/** `./x` names `x.ts` or `x/index.ts`. */
function resolveFile(target: string): string {
  return existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, 'index.ts');
}

/** Strongly connected components with more than one folder: each is an import cycle. */
function cycles(all: Edge[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of all) graph.set(from, (graph.get(from) ?? new Set()).add(to));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) visit(next);
      if (stack.includes(next)) low.set(node, Math.min(low.get(node)!, low.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = member === node ? undefined : stack.pop()) {
      component.push(member);
    }
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

const show = (list: Edge[]) => list.map((e) => `${e.file} imports ${e.spec}`);

test('when the folders of src/ and dev/ import each other, then no two folders form a cycle', () => {
  expect(cycles(edges())).toEqual([]);
});

test('when a ticketing target needs HTTP, then it uses the shared layer and no other target', () => {
  expect(cycles(edges(3))).toEqual([]);
  const crossTarget = edges(3).filter(
    (e) =>
      /^src\/ticketing\/(servicenow|jira|rest)$/.test(e.from) && /^src\/ticketing\/(servicenow|jira|rest)$/.test(e.to),
  );
  expect(show(crossTarget)).toEqual([]);
});

test.each([
  ['src/contract', 'the contract is the bottom: it imports nothing of the product', /^src\//],
  ['src/workflows', 'workflows import only the contract', /^src\/(?!contract$)/],
  ['src/activities', 'activities never import workflows, the webhook or the worker', /^src\/(workflows|api|worker)$/],
  ['src', 'the product never imports the development tools', /^dev(\/|$)/],
  ['src/ticketing', 'ticketing knows no workflow, activity or webhook', /^src\/(workflows|activities|api|worker)$/],
  [
    'src/source',
    'the source side knows no webhook, workflow, activity or worker',
    /^src\/(workflows|activities|api|worker)$/,
  ],
  ['src/starting', 'starting events knows no webhook, activity or worker', /^src\/(activities|api|worker)$/],
])('when %s imports, then %s', (from, _rule, forbidden) => {
  const bad = edges().filter((e) => (e.from === from || e.from.startsWith(`${from}/`)) && forbidden.test(e.to));
  expect(show(bad)).toEqual([]);
});

test('when the rules are checked, then they see real imports (the scan is not empty)', () => {
  const all = edges();
  expect(all.some((e) => e.from === 'src/api' && e.to === 'src/config')).toBe(true);
  expect(cycles([...all, { from: 'src/contract', to: 'src/api', file: 'x', spec: 'y' }]).length).toBeGreaterThan(0);
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../src/package-root';

let readme: string | undefined;

/** Read once, from the package root: the tests run it from sources, the cluster benchmark from dist/. */
function readmeText(): string {
  readme ??= readFileSync(path.join(packageRoot(), 'README.md'), 'utf8');
  return readme;
}

/** The fenced code blocks of one README section (## or ###), so tests and tools run exactly what the README says. */
export function readmeBlocks(heading: string): string[] {
  const text = readmeText();
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const level = heading.split(' ')[0];
  const rest = text.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`\\n${level} `));
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].map((m) => m[1].trim());
}

/** Shell commands of a section, one per logical line (backslash continuations joined). */
export function readmeCommands(heading: string): string[] {
  return readmeBlocks(heading)
    .flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

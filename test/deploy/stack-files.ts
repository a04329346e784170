import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Readers for the deployment files (docker-compose.yml, Dockerfile, hasura/, deploy/), shared by test/deploy. */

export const REPO_ROOT = join(__dirname, '..', '..');

export function repoPath(relativePath: string): string {
  return join(REPO_ROOT, relativePath);
}

export function repoFileExists(relativePath: string): boolean {
  return existsSync(repoPath(relativePath));
}

export function readRepoFile(relativePath: string): string {
  return readFileSync(repoPath(relativePath), 'utf8');
}

/** YAML as Docker Compose reads it: `<<` merge keys resolved, duplicate keys an error. */
export function readYaml<T = unknown>(relativePath: string): T {
  return parse(readRepoFile(relativePath), { merge: true, uniqueKeys: true }) as T;
}

export interface ComposeHealthcheck {
  test?: string | string[];
  disable?: boolean;
}

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: ComposeHealthcheck;
  ports?: Array<string | number | { published?: string | number; target: number }>;
  volumes?: Array<string | { type: string; source?: string; target: string }>;
  profiles?: string[];
  restart?: string;
  init?: boolean;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  [key: string]: unknown;
}

export const COMPOSE_FILE = 'docker-compose.yml';

export function loadCompose(): ComposeFile {
  return readYaml<ComposeFile>(COMPOSE_FILE);
}

export function serviceNamed(compose: ComposeFile, name: string): ComposeService {
  const service = compose.services[name];
  if (!service) throw new Error(`${COMPOSE_FILE} has no service "${name}"`);
  return service;
}

/** `environment` in either of its Compose forms, as a name → value map (values as written, not interpolated). */
export function environmentOf(service: ComposeService): Record<string, string> {
  const { environment } = service;
  if (!environment) return {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => {
        const [name, ...rest] = entry.split('=');
        return [name, rest.join('=')];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, value === null ? '' : String(value)]),
  );
}

export function dependenciesOf(service: ComposeService): Record<string, string> {
  const dependsOn = service.depends_on ?? {};
  if (Array.isArray(dependsOn)) return Object.fromEntries(dependsOn.map((name) => [name, 'service_started']));
  return Object.fromEntries(
    Object.entries(dependsOn).map(([name, spec]) => [name, spec.condition ?? 'service_started']),
  );
}

/** Names of the `${VAR}`, `${VAR:-default}`, `${VAR:?error}` and `$VAR` references; `$$` is a literal dollar. */
export function interpolatedVariables(text: string): string[] {
  const names = new Set<string>();
  const reference = /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))/g;
  for (const match of text.matchAll(reference)) {
    const name = match[2] ?? match[3];
    if (match[1] !== '$' && name) names.add(name);
  }
  return [...names].sort();
}

/** Host-side paths of bind mounts in short (`./a:/b[:ro]`) or long (`type: bind`) syntax. */
export function bindMountSources(service: ComposeService): string[] {
  return (service.volumes ?? []).flatMap((volume) => {
    if (typeof volume === 'string') {
      const source = volume.split(':')[0];
      return source.startsWith('.') || source.startsWith('/') ? [source] : [];
    }
    return volume.type === 'bind' && volume.source ? [volume.source] : [];
  });
}

/** Host ports a service publishes (`"8080:8080"`, `"127.0.0.1:8080:8080"`, long syntax). */
export function publishedHostPorts(service: ComposeService): string[] {
  return (service.ports ?? []).flatMap((port) => {
    if (typeof port === 'object') return port.published === undefined ? [] : [String(port.published)];
    const parts = String(port).split(':');
    return parts.length >= 2 ? [parts[parts.length - 2]] : [];
  });
}

export function commandOf(service: ComposeService): string[] {
  const { command } = service;
  if (command === undefined) return [];
  return Array.isArray(command) ? command : command.split(/\s+/).filter(Boolean);
}

/** `dist/src/api/main.js` → `src/api/main.ts`: `npm run build` compiles src/ and dev/ with rootDir `.`, outDir dist. */
export function sourceOfDistFile(distFile: string): string {
  return distFile.replace(/^dist\//, '').replace(/\.js$/, '.ts');
}

import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { toWorkflowEvent } from '../starting/event-starter';
import { hasuraEventSchema } from '../hasura/event-schema';
import { readEventTriggers, writeBackListenWarnings } from '../hasura/metadata';
import { createEventMapper, MappingError } from '../mapping/mapper';
import type { HasuraEvent } from '../contract';
import { triggerConfig, type BridgeConfig } from '../config/bridge-config';
import { loadBridgeConfig } from '../settings/file/load';
import { ConfigError, formatZodIssues } from '../common/config-error';
import { type Env } from '../settings/env';

const USAGE =
  'usage: npm run check-config -- <bridge.yaml> [--event <hasura-event.json>] [--hasura-metadata <metadata dir>]';
const EXIT_VALID = 0;
const EXIT_INVALID = 2;

interface Arguments {
  configPath: string;
  eventPath?: string;
  metadataDir?: string;
}

const OPTIONS: Record<string, 'eventPath' | 'metadataDir'> = {
  '--event': 'eventPath',
  '--hasura-metadata': 'metadataDir',
};

function parseArguments(argv: string[]): Arguments {
  const [configPath, ...rest] = argv;
  if (!configPath || configPath.startsWith('--')) throw new ConfigError([USAGE]);
  const args: Arguments = { configPath };
  for (let index = 0; index < rest.length; index += 2) {
    const key = OPTIONS[rest[index]];
    if (!key || rest[index + 1] === undefined || args[key] !== undefined) {
      throw new ConfigError([`unexpected arguments: ${rest.join(' ')}`, USAGE]);
    }
    args[key] = rest[index + 1];
  }
  return args;
}

/** Warnings, not errors: the bridge runs correctly (its guards drop the echoes); the metadata wastes deliveries. */
function metadataWarnings(config: BridgeConfig, dir: string): string[] {
  let triggers;
  try {
    triggers = readEventTriggers(dir);
  } catch (error) {
    throw new ConfigError([`--hasura-metadata ${dir}: ${(error as Error).message}`]);
  }
  return writeBackListenWarnings(triggers, (name) => {
    const { writeback, ops } = triggerConfig(config, name);
    if (!writeback || !ops.includes('UPDATE')) return undefined;
    return [...Object.keys(writeback.columns), ...Object.keys(writeback.errorColumns)];
  });
}

function readEvent(path: string): HasuraEvent {
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError([`--event ${path}: ${(error as Error).message}`]);
  }
  const parsed = hasuraEventSchema.safeParse(body);
  if (!parsed.success) throw new ConfigError(formatZodIssues(parsed.error, `--event ${path}`));
  return toWorkflowEvent(parsed.data);
}

/** Every template set of the event's trigger, rendered, as the lifecycle would send them. */
async function renderSample(config: BridgeConfig, event: HasuraEvent): Promise<Record<string, unknown>> {
  const mapper = createEventMapper(config);
  try {
    const { rowKey } = await mapper.map(event);
    return {
      trigger: event.trigger,
      target: triggerConfig(config, event.trigger).target,
      row_key: rowKey,
      fields: await mapper.fields(event, 'fields'),
      update_fields: await mapper.fields(event, 'updateFields'),
      resolve_fields: await mapper.fields(event, 'resolveFields'),
      work_note: await mapper.workNote(event),
    };
  } catch (error) {
    if (error instanceof MappingError) throw new ConfigError([`--event: ${error.message}`]);
    throw error;
  }
}

/**
 * Validates the file, prints the effective config (secrets as <secret>) and, given an event, what it
 * maps to. The environment is read only for what the file needs: its `{ env: NAME }` secrets and, when
 * it has no `targets`, SERVICENOW_*, exactly as the worker's loader reads them.
 */
async function check(argv: string[], env: Env): Promise<string> {
  const args = parseArguments(argv);
  const config = loadBridgeConfig({ env, path: args.configPath });
  const report: Record<string, unknown> = { effective: config };
  if (args.eventPath) report.sample = await renderSample(config, readEvent(args.eventPath));
  const warnings = args.metadataDir ? metadataWarnings(config, args.metadataDir) : [];
  const warned = warnings.map((warning) => `# warning: ${warning}\n`).join('');
  return `# ${args.configPath} is valid\n${warned}${stringify(report, { lineWidth: 0 })}`;
}

check(process.argv.slice(2), process.env).then(
  (output) => {
    process.stdout.write(output);
    process.exitCode = EXIT_VALID;
  },
  (error: unknown) => {
    if (!(error instanceof ConfigError)) throw error;
    const count = error.problems.length;
    process.stderr.write(
      `invalid configuration (${count} problem${count === 1 ? '' : 's'}):\n` +
        error.problems.map((p) => `  - ${p}\n`).join(''),
    );
    process.exitCode = EXIT_INVALID;
  },
);

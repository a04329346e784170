import path from 'node:path';
import { ConfigError } from '../common/config-error';
import { backfillTaskQueue } from '../config/source';
import { backfill } from '../source/backfill';
import { openSourcePool } from '../source/postgres';
import type { TableName } from '../source/table-rows';
import { loadSourceToolSettings } from '../settings/source-jobs';
import { fileState } from './backfill-state';
import { progressFor } from './progress';
import { parseFlags, positiveFlag, runTool, toolStarter } from './source-tool';

const USAGE =
  'usage: npm run backfill -- --trigger T --table schema.name [--where "<sql condition>"] [--dry-run] [--rate N]' +
  ' [--limit N] [--resume] [--state-file path] [--json]';

const FLAGS = {
  trigger: { type: 'string' },
  table: { type: 'string' },
  where: { type: 'string' },
  'dry-run': { type: 'boolean' },
  rate: { type: 'string' },
  limit: { type: 'string' },
  resume: { type: 'boolean' },
  'state-file': { type: 'string' },
  json: { type: 'boolean' },
} as const;

function required(name: string, value: string | undefined): string {
  if (!value) throw new ConfigError([`--${name}: required`, USAGE]);
  return value;
}

/** `schema.name`; the bridge config has no table names (a trigger's table is Hasura metadata). */
function tableOf(value: string): TableName {
  const match = /^([^.]+)\.([^.]+)$/.exec(value);
  if (!match) throw new ConfigError([`--table: expected schema.name, got ${value}`]);
  return { schema: match[1], name: match[2] };
}

/** `npm run backfill`: one MANUAL event per existing row, on the backfill queue; resumable. */
runTool('backfill', async () => {
  const flags = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  const trigger = required('trigger', flags.trigger);
  const tableText = required('table', flags.table);
  const table = tableOf(tableText);
  const rate = positiveFlag('rate', flags.rate);
  const limit = positiveFlag('limit', flags.limit);
  const settings = loadSourceToolSettings(process.env);
  const stateFile = flags['state-file'] ?? path.join('.data', `backfill-${trigger}-${tableText}.json`);
  const state = fileState(stateFile, { trigger, table: tableText, where: flags.where ?? null });
  const pool = openSourcePool(settings.bridge.source);
  // The backfill queue's creates run where the ticket rate and the backfill rate both hold.
  const tool = toolStarter(settings, {
    taskQueue: backfillTaskQueue(settings.temporal.taskQueue),
    createQueue: 'ticketing',
  });
  const progress = progressFor(process.stderr, `backfill ${trigger}`);
  try {
    const counts = await backfill({
      ...{ pool, starter: tool.starter, trigger, table, where: flags.where, rate, limit, state },
      ...{ dryRun: flags['dry-run'], resume: flags.resume, onProgress: progress.update },
    });
    progress.stop();
    if (flags.json)
      console.log(JSON.stringify({ trigger, table: tableText, dryRun: Boolean(flags['dry-run']), ...counts }));
    else {
      const what = flags['dry-run'] ? `would start ${counts.wouldStart}` : `started ${counts.started}`;
      console.log(
        `backfill ${trigger} (${tableText}): ${counts.rows} rows; ${what}, already known ${counts.alreadyKnown}, ` +
          `skipped ${counts.skipped}${flags['dry-run'] ? '' : `; position in ${stateFile}`}`,
      );
    }
  } finally {
    await Promise.all([pool.end(), tool.close()]);
  }
});

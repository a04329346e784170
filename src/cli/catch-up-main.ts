import { ConfigError } from '../common/config-error';
import { namedTriggers } from '../config/source';
import { catchUp } from '../source/catch-up';
import { openSourcePool } from '../source/postgres';
import { loadSourceToolSettings } from '../settings/source-jobs';
import { parseFlags, positiveFlag, runTool, toolStarter } from './source-tool';

const USAGE = 'usage: npm run catch-up -- [--trigger T]... [--since 2026-01-31T00:00] [--limit N] [--dry-run] [--json]';

const FLAGS = {
  trigger: { type: 'string', multiple: true },
  since: { type: 'string' },
  limit: { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** Default: the triggers BRIDGE_CONFIG names; a catalog can hold other webhooks' triggers, never guessed. */
function triggersOf(flags: string[] | undefined, named: string[]): string[] {
  if (flags?.length) return flags;
  if (named.length) return named;
  throw new ConfigError(['--trigger: required, because BRIDGE_CONFIG names no triggers', USAGE]);
}

function sinceOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(value)) {
    throw new ConfigError([`--since: expected YYYY-MM-DD[THH:MM[:SS]] (the catalog's zone-less time), got ${value}`]);
  }
  return value;
}

/** `npm run catch-up`: starts the events Hasura gave up on; prints started / already known / skipped. */
runTool('catch-up', async () => {
  const flags = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  const settings = loadSourceToolSettings(process.env);
  const triggers = triggersOf(flags.trigger, namedTriggers(settings.bridge));
  const options = { triggers, since: sinceOf(flags.since), limit: positiveFlag('limit', flags.limit) };
  const pool = openSourcePool(settings.bridge.source);
  const { taskQueue, createQueue } = settings.temporal;
  const tool = toolStarter(settings, { taskQueue, createQueue });
  try {
    const counts = await catchUp({ ...options, pool, starter: tool.starter, dryRun: flags['dry-run'] });
    if (flags.json) console.log(JSON.stringify({ triggers, dryRun: Boolean(flags['dry-run']), ...counts }));
    else {
      const what = flags['dry-run'] ? `would start ${counts.wouldStart}` : `started ${counts.started}`;
      console.log(
        `catch-up (${triggers.join(', ')}): ${counts.found} given-up events not caught up before; ${what}, ` +
          `already known ${counts.alreadyKnown}, skipped ${counts.skipped}`,
      );
      for (const skip of counts.skips) console.log(`  skipped ${skip.id}: ${skip.reason}`);
    }
  } finally {
    await Promise.all([pool.end(), tool.close()]);
  }
});

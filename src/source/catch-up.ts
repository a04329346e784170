import type { Pool } from 'pg';
import type { CatchUpCounts } from '../contract';
import { formatZodIssues } from '../common/config-error';
import { parseHasuraJson } from '../hasura/exact-json';
import { hasuraEventSchema, type HasuraEventBody } from '../hasura/event-schema';
import { neverAccepted } from '../starting/event-routing';
import type { EventStarter } from '../starting/event-starter';
import { CAUGHT_UP_TABLE, markCaughtUp, prepareCaughtUp } from './caught-up';
import { readGivenUp, type GivenUpEvent } from './event-log';

export interface CatchUpOptions {
  pool: Pool;
  /** Started with `runningIsDuplicate`, so a live run counts as already known. */
  starter: EventStarter;
  triggers: string[];
  since?: string;
  /** At most this many events per sweep; default all. */
  limit?: number;
  dryRun?: boolean;
  pageSize?: number;
}

const emptyCounts = (): CatchUpCounts => ({
  found: 0,
  started: 0,
  alreadyKnown: 0,
  skipped: 0,
  wouldStart: 0,
  skips: [],
});

/** The body the webhook would have parsed: the same lossless reader and the same schema. */
function bodyOf(text: string): HasuraEventBody | string {
  const parsed = hasuraEventSchema.safeParse(parseHasuraJson(text));
  return parsed.success ? parsed.data : `not a Hasura event: ${formatZodIssues(parsed.error)[0]}`;
}

async function startOne(options: CatchUpOptions, text: string, counts: CatchUpCounts): Promise<string | undefined> {
  const body = bodyOf(text);
  if (typeof body === 'string') return body;
  if (options.dryRun) {
    counts.wouldStart += 1;
    return undefined;
  }
  try {
    const result = await options.starter.start(body);
    if (result.ignored) return result.ignored;
    if (result.duplicate) counts.alreadyKnown += 1;
    else counts.started += 1;
    return undefined;
  } catch (error) {
    if (neverAccepted(error)) return error.message;
    throw error;
  }
}

/**
 * Delivers a page; marks what was delivered (started or already known) once its delivery returned, also
 * when a later one fails: a mark before delivery could lose the event. Skipped events stay unmarked, so a
 * config that accepts them later still gets them.
 */
async function sweepPage(options: CatchUpOptions, page: GivenUpEvent[], counts: CatchUpCounts): Promise<void> {
  const delivered: GivenUpEvent[] = [];
  try {
    for (const event of page) {
      counts.found += 1;
      const skip = await startOne(options, event.body, counts);
      if (skip === undefined) {
        if (!options.dryRun) delivered.push(event);
        continue;
      }
      counts.skipped += 1;
      if (counts.skips.length < 20) counts.skips.push({ id: event.id, reason: skip });
    }
  } finally {
    await markCaughtUp(options.pool, delivered);
  }
}

/**
 * Starts the workflow of every event Hasura gave up on (hdb_catalog.event_log: error, not delivered,
 * not archived) for the triggers and not yet caught up, with the id and input the webhook would have used:
 * an event that got through after all is not doubled. Reads the catalog, never writes it; each delivered
 * event is marked in incident_bridge.caught_up_events, so later sweeps leave it out (review s7b: re-sent
 * at every sweep, a row event is one day placed as new). A Temporal or database failure stops the sweep
 * (the error propagates); what was delivered stays marked, and the next sweep delivers the rest.
 */
export async function catchUp(options: CatchUpOptions): Promise<CatchUpCounts> {
  const counts = emptyCounts();
  const { triggers, since } = options;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const except = (await prepareCaughtUp(options.pool, Boolean(options.dryRun))) ? CAUGHT_UP_TABLE : undefined;
  let after: { createdAt: string; id: string } | undefined;
  while (counts.found < limit) {
    const pageSize = Math.min(options.pageSize ?? 500, limit - counts.found);
    const page = await readGivenUp(options.pool, { triggers, since, after, limit: pageSize, except });
    await sweepPage(options, page, counts);
    if (page.length < pageSize) break;
    after = page[page.length - 1];
  }
  return counts;
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { CORRELATION_TAG_LENGTH, legacyRowCorrelationIdFor, rowCorrelationIdFor } from '../contract/ids';
import type { Secret } from './secret';
import { sha256Hex } from './sha256';

/**
 * `correlation:` of the bridge config (README "Correlation keys"). The secret signs every row's ticket key,
 * so it lives in each process that builds or reads them (webhook, worker, catch-up and backfill CLIs), never
 * in a workflow's input or history, and never changes: a new secret gives every row a new key.
 */
export interface CorrelationConfig {
  secret: Secret;
  /** Tickets created before this instant (epoch ms) keep their untagged, pre-tag keys. */
  legacyBeforeMs?: number;
}

/** What a row's key is made of; `table` is `schema.name`. */
export interface RowKeyParts {
  trigger: string;
  table: string;
  rowKey: string;
}

const macOf =
  (secret: Secret) =>
  (text: string): string =>
    createHmac('sha256', secret.reveal()).update(text).digest('base64url');

/** The row's ticket key, `<trigger>:<tag>:<schema.table>:<rowKey>` (src/contract/ids.ts). */
export function rowTicketKeyFor(config: Pick<CorrelationConfig, 'secret'>, row: RowKeyParts): string {
  return rowCorrelationIdFor(row.trigger, row.table, row.rowKey, macOf(config.secret));
}

/** The key the row had before tags; trusted only as `legacyTicketAdoptable` says. */
export function legacyTicketKeyFor(row: RowKeyParts): string {
  return legacyRowCorrelationIdFor(row.trigger, row.table, row.rowKey, sha256Hex);
}

/** Whether `tag` is the one this secret gives the row (constant time: a near miss tells nothing). */
export function tagVerifies(config: Pick<CorrelationConfig, 'secret'>, row: RowKeyParts, tag: string): boolean {
  const mac = macOf(config.secret)(`${row.trigger}:${row.table}:${row.rowKey}`);
  const [expected, actual] = [Buffer.from(mac.slice(0, CORRELATION_TAG_LENGTH)), Buffer.from(tag)];
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Whether a ticket with an untagged key may be the row's: only one created before `legacy_before`, when the
 * bridge itself still wrote such keys. A ticket without a readable creation time is not.
 */
export function legacyTicketAdoptable(config: CorrelationConfig | undefined, createdAt: unknown): boolean {
  const before = config?.legacyBeforeMs;
  if (before === undefined || typeof createdAt !== 'string') return false;
  return instantOf(createdAt) < before;
}

/** ServiceNow's `2016-01-22 14:28:24` is UTC; Jira's and ISO times name their zone. NaN compares false. */
function instantOf(text: string): number {
  return Date.parse(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(text) ? `${text.replace(' ', 'T')}Z` : text);
}

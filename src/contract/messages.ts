import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { RowEvent } from './events';
import type { EventStatus } from './workflows';

/** Operator messages. Names are what `temporal workflow signal/query --name ...` uses. */
export interface RetryRequest {
  /** Ticket fields that replace the mapped ones, e.g. {"urgency":"2"}; validated, never trusted. */
  overrides?: Record<string, string>;
  reason?: string;
}

export interface AbandonRequest {
  reason: string;
}

export const retrySignal = defineSignal<[RetryRequest?]>('retry');
export const abandonSignal = defineSignal<[AbandonRequest?]>('abandon');
export const statusQuery = defineQuery<EventStatus>('status');
/** One event for a row workflow; sent by the event workflow's forward activity with signal-with-start. */
export const rowEventSignal = defineSignal<[RowEvent]>('rowEvent');

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,79}$/;
const MAX_OVERRIDES = 50;
const MAX_VALUE_LENGTH = 32_000;

/** Returns why the overrides are unacceptable, or undefined when they are fine. Pure: runs in the workflow. */
export function overridesProblem(overrides: unknown): string | undefined {
  if (overrides === undefined) return undefined;
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    return 'overrides must be a JSON object of field → string';
  }
  const entries = Object.entries(overrides);
  if (entries.length > MAX_OVERRIDES) return `at most ${MAX_OVERRIDES} overrides`;
  for (const [key, value] of entries) {
    if (!FIELD_NAME.test(key)) return `override key ${JSON.stringify(key.slice(0, 80))} is not a field name`;
    if (typeof value !== 'string') return `override ${key} must be a string`;
    if (value.length > MAX_VALUE_LENGTH) return `override ${key} is longer than ${MAX_VALUE_LENGTH} characters`;
  }
  return undefined;
}

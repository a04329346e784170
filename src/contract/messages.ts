import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RowEvent } from './events';
import type { EventStatus } from './workflows';

/** Operator messages. Names are what `temporal workflow update execute / signal / query --name ...` use. */
export interface RetryRequest {
  /** Ticket fields that replace the mapped ones, e.g. {"urgency":"2"}; validated, never trusted. */
  overrides?: Record<string, string>;
  reason?: string;
}

export interface AbandonRequest {
  reason?: string;
}

/** An accepted `retry` / `abandon` Update's answer: what was decided and what happens now. */
export interface OperatorReply {
  decision: 'retry' | 'abandon';
  message: string;
}

/**
 * One event: the operator gets an answer. The validator rejects, with the reason, a command for an
 * event that is not parked or with bad input; a rejected Update leaves no trace and nothing waits.
 * The request may still arrive undefined (`update execute` without `--input`): handlers default it.
 */
export const retryUpdate = defineUpdate<OperatorReply, [RetryRequest]>('retry');
export const abandonUpdate = defineUpdate<OperatorReply, [AbandonRequest]>('abandon');
/**
 * Many events at once (`temporal workflow signal --query ...`: the server has no batch Update). A
 * signal acts on a parked event; on any other it is ignored, with a note in the status.
 */
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

/** Why a `retry` / `abandon` input is unacceptable (it comes from a CLI, not from our types), or undefined. */
export function operatorRequestProblem(request: unknown): string | undefined {
  if (request === undefined || request === null) return undefined;
  if (typeof request !== 'object' || Array.isArray(request)) {
    return 'the input must be a JSON object such as {"reason":"..."}';
  }
  const { reason } = request as { reason?: unknown };
  return reason === undefined || typeof reason === 'string' ? undefined : 'reason must be a string';
}

/** Why a `retry` input is unacceptable, its overrides included, or undefined. */
export function retryRequestProblem(request: unknown): string | undefined {
  const problem = operatorRequestProblem(request);
  if (problem) return problem;
  const overrides = overridesProblem((request as RetryRequest | undefined)?.overrides);
  return overrides && `bad overrides: ${overrides}`;
}

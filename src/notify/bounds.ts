import type { FailureReport } from './types';

export const MAX_FIELD_CHARS = 256;
export const MAX_ERROR_CHARS = 2000;

// C0/C1 controls, line/paragraph separators and bidi overrides: they can forge lines or reorder what a reader sees.
/* eslint-disable no-control-regex -- matching control characters is the point */
const UNSAFE_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_IN_BLOCK = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

/** Cuts to at most `maxChars` UTF-16 units, marking the cut, without splitting a surrogate pair. */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let kept = text.slice(0, maxChars - 1);
  if (/[\ud800-\udbff]$/.test(kept)) kept = kept.slice(0, -1);
  return `${kept}…`;
}

/** One line of untrusted text (row keys, names) fit for a subject, a table cell or a chat field. */
export function boundLine(text: string, maxChars = MAX_FIELD_CHARS): string {
  return truncate(text.replace(UNSAFE_IN_LINE, ' '), maxChars);
}

/** Multi-line untrusted text (error messages): keeps newlines and tabs, drops other controls. */
export function boundBlock(text: string, maxChars = MAX_ERROR_CHARS): string {
  return truncate(text.replace(/\r\n?/g, '\n').replace(UNSAFE_IN_BLOCK, ''), maxChars);
}

/** Every channel sees the same bounded report, so no renderer can forget a cap. */
export function boundReport(report: FailureReport): FailureReport {
  const optional = (value: string | undefined) => (value === undefined ? undefined : boundLine(value));
  return {
    workflowId: boundLine(report.workflowId),
    runId: boundLine(report.runId),
    trigger: boundLine(report.trigger),
    table: boundLine(report.table),
    op: boundLine(report.op),
    eventId: boundLine(report.eventId),
    rowKey: optional(report.rowKey),
    lastError: { message: boundBlock(report.lastError.message), type: optional(report.lastError.type) },
    attempts: report.attempts,
    webUiUrl: boundLine(report.webUiUrl, 2000),
    occurredAt: boundLine(report.occurredAt),
    outcome: report.outcome,
    parkedUntil: optional(report.parkedUntil),
    park: report.park,
  };
}

import type { FailureReport } from './types';

/** The channel-independent content of a failure message; renderers only lay it out and escape it. */
export interface Fact {
  label: string;
  value: string;
}

export interface OperatorAction {
  description: string;
  command: string;
}

export const WEB_UI_LINK_TEXT = 'Open the workflow in the Temporal Web UI';

export function headline(report: FailureReport): string {
  return `Hasura event ${report.outcome}: ${report.trigger} ${report.table} ${report.rowKey ?? report.eventId}`;
}

export function reportFacts(report: FailureReport): Fact[] {
  const facts: Fact[] = [
    { label: 'Trigger', value: report.trigger },
    { label: 'Table', value: report.table },
    { label: 'Operation', value: report.op },
    { label: 'Row key', value: report.rowKey ?? '(none)' },
    { label: 'Event ID', value: report.eventId },
    { label: 'Attempts', value: String(report.attempts) },
    { label: 'Workflow ID', value: report.workflowId },
    { label: 'Run ID', value: report.runId },
    { label: 'Occurred at', value: report.occurredAt },
  ];
  if (report.parkedUntil) facts.push({ label: 'Parked until', value: report.parkedUntil });
  return facts;
}

export function errorSummary(report: FailureReport): string {
  const { type, message } = report.lastError;
  return type ? `${type}: ${message}` : message;
}

/**
 * A parked workflow is still running and takes the `retry` / `abandon` Updates, which answer whether
 * they were accepted; a failed one has closed, so only a reset can run it again; a stuck one retries on by
 * itself, so fixing the cause is the whole of it.
 */
export function operatorActions(report: FailureReport): OperatorAction[] {
  const workflow = `-w ${shellQuote(report.workflowId)}`;
  if (report.outcome === 'stuck') {
    const description = 'Still retrying: fix the cause and it carries on by itself; its pending attempts';
    return [{ description, command: `temporal workflow describe ${workflow}` }];
  }
  if (report.outcome === 'parked') {
    return [
      { description: 'Retry now', command: `temporal workflow update execute ${workflow} --name retry` },
      {
        description: 'Give up on this event',
        command: `temporal workflow update execute ${workflow} --name abandon`,
      },
    ];
  }
  return [
    {
      description: 'Run the workflow again from the start once the cause is fixed',
      command: `temporal workflow reset ${workflow} -t FirstWorkflowTask --reason 'retry after fix'`,
    },
  ];
}

/** POSIX single-quoting, so a pasted command cannot run anything hidden in a workflow ID. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

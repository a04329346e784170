import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FaultKind, FaultLogEntry } from './fault-plan';

export interface ChaosReport {
  startedAt: string;
  settings: {
    events: number;
    eventsPerSecond: number;
    httpPoolSize: number;
    seed: number;
    outageMs: number;
    hasuraTimeScale: number;
  };
  events: number;
  deliveries: number;
  /** HTTP requests to the webhook, retries included, by answer. */
  requests: { total: number; byAnswer: Record<string, number> };
  accepted: number;
  neverAccepted: number;
  faults: { byKind: Partial<Record<FaultKind, number>>; failedToInject: number; log: FaultLogEntry[] };
  unplannedExits: { worker: number; webhook: number };
  incidents: number;
  exactlyOnce: number;
  duplicates: { active: number; cancelled: number };
  lost: string[];
  parked: string[];
  stuck: string[];
  workflows: Record<string, number>;
  /** What the simulator saw; `unanswered` = creates committed whose answer never went out (slow-then-commit, killed worker). */
  servicenow: { calls: number; byStatus: Record<string, number>; creates: number; unanswered: number };
  timings: { ingestMs: number; drainMs: number; totalMs: number; drained: boolean };
  aborted: boolean;
  /** Empty when every promise held. */
  failures: string[];
  /** Process logs and the Temporal database, kept when the run failed. */
  workDir?: string;
}

/** What must hold for the run to pass; each broken promise is one line. */
export function judge(report: Omit<ChaosReport, 'failures'>): string[] {
  const failures: string[] = [];
  if (report.aborted) failures.push('run aborted');
  if (!report.timings.drained) failures.push(`not quiescent after ${Math.round(report.timings.drainMs / 1000)} s`);
  if (report.lost.length)
    failures.push(`${report.lost.length} accepted event(s) without an incident, e.g. ${report.lost[0]}`);
  if (report.duplicates.active) failures.push(`${report.duplicates.active} active duplicate incident(s)`);
  if (report.stuck.length) failures.push(`${report.stuck.length} workflow(s) stuck, e.g. ${report.stuck[0]}`);
  if (report.parked.length)
    failures.push(`${report.parked.length} event(s) parked: the retry budget did not outlast the faults`);
  if (report.neverAccepted) failures.push(`${report.neverAccepted} event(s) never accepted by the webhook`);
  if (report.faults.failedToInject) failures.push(`${report.faults.failedToInject} fault(s) failed to inject`);
  return failures;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const counts = (byKey: Record<string, number | undefined>): string =>
  Object.entries(byKey)
    .map(([key, count]) => `${key} ×${count}`)
    .join(', ');

export function formatReport(report: ChaosReport): string {
  const faultsInjected = Object.values(report.faults.byKind).reduce((sum, count) => sum + (count ?? 0), 0);
  const rows: [string, string][] = [
    ['events', String(report.events)],
    [
      'deliveries (each event twice)',
      `${report.deliveries} (${report.requests.total} requests: ${counts(report.requests.byAnswer)})`,
    ],
    ['accepted by the webhook', `${report.accepted} (never accepted: ${report.neverAccepted})`],
    ['faults injected', `${faultsInjected}: ${counts(report.faults.byKind)}`],
    ['unplanned process exits', `worker ${report.unplannedExits.worker}, webhook ${report.unplannedExits.webhook}`],
    ['incidents (records)', `${report.incidents} (exactly one active for ${report.exactlyOnce} events)`],
    ['duplicates active / cancelled', `${report.duplicates.active} / ${report.duplicates.cancelled}`],
    ['lost', String(report.lost.length)],
    ['parked / stuck workflows', `${report.parked.length} / ${report.stuck.length}`],
    ['workflows', counts(report.workflows)],
    ['ServiceNow calls', `${report.servicenow.calls} (${counts(report.servicenow.byStatus)})`],
    ['creates committed / unanswered', `${report.servicenow.creates} / ${report.servicenow.unanswered}`],
    [
      'time: ingest / drain / total',
      `${seconds(report.timings.ingestMs)} / ${seconds(report.timings.drainMs)} / ${seconds(report.timings.totalMs)}`,
    ],
    ['result', report.failures.length ? `FAILED: ${report.failures.join('; ')}` : 'PASSED'],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const line = '-'.repeat(width + 2);
  return [
    '',
    `chaos run ${report.startedAt}`,
    line,
    ...rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`),
    line,
    '',
  ].join('\n');
}

/** chaos-results/chaos-<time>.json (git-ignored): the figures the README's Guarantees section quotes. */
export function writeReport(report: ChaosReport, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `chaos-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

import { cpus, totalmem } from 'node:os';
import type { AckResult } from './ack';
import type { BenchConfig } from './config';
import type { DrainResult } from './drain';
import { fmt, lat, overheadRows, verdict, type Row } from './report-rows';
import type { EndToEndResult } from './e2e';
import type { FootprintResult } from './footprint';
import type { SectionOutcome } from './section';
import type { SyncBaselineResult } from './sync-baseline';

export interface BenchReport {
  generatedAt: string;
  machine: { cpuModel: string; cores: number; memoryMb: number; node: string; platform: string };
  settings: BenchConfig;
  /** The Temporal server each storage mode ran on, by storage mode (e.g. `postgres`: the full server's version). */
  servers: Record<string, string>;
  durationSeconds: number;
  sections: {
    ack: Record<string, SectionOutcome<AckResult>>;
    endToEnd: Record<string, SectionOutcome<EndToEndResult>>;
    syncBaseline: SectionOutcome<SyncBaselineResult>;
    drain: SectionOutcome<DrainResult>;
    footprint: SectionOutcome<FootprintResult>;
  };
}

export function describeMachine(): BenchReport['machine'] {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryMb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

function unavailable(section: string, outcome: SectionOutcome<unknown>): Row[] {
  if (outcome.status === 'ok') return [];
  const miss = outcome.status === 'skipped' ? '' : 'MISS';
  return [[section, outcome.status.toUpperCase(), outcome.message.slice(0, 60), '', '', '', miss]];
}

function ackRows(storage: string, outcome: SectionOutcome<AckResult>): Row[] {
  if (outcome.status !== 'ok') return unavailable(`1 ack ${storage}`, outcome);
  const { closedLoop, steps } = outcome.data;
  const rows: Row[] = [
    [
      `1 ack ${storage}`,
      'max events/s (vs start loop)',
      fmt(closedLoop.webhook.throughput),
      fmt(closedLoop.floor.throughput),
      fmt(closedLoop.throughputRatio),
      '≥ 0.90',
      verdict(closedLoop.throughputRatio >= 0.9),
    ],
  ];
  for (const step of steps) {
    const measure = `@${step.offeredPerSecond}/s p50/p99 ms${step.saturated ? ' (sat.)' : ''}`;
    const p99Ratio =
      step.floor.latencyMs.p99 > 0
        ? Math.round((step.webhook.latencyMs.p99 / step.floor.latencyMs.p99) * 100) / 100
        : NaN;
    rows.push([
      `1 ack ${storage}`,
      measure,
      lat(step.webhook.latencyMs),
      lat(step.floor.latencyMs),
      fmt(p99Ratio),
      'p99 ≤ 25',
      step.saturated ? '' : verdict(step.webhook.latencyMs.p99 <= 25),
    ]);
  }
  return rows;
}

function endToEndRows(storage: string, outcome: SectionOutcome<EndToEndResult>): Row[] {
  if (outcome.status !== 'ok') return unavailable(`2 e2e ${storage}`, outcome);
  const rows = outcome.data.runs.flatMap((run): Row[] => [
    [
      `2 e2e ${storage}`,
      `incidents/s @${run.latencyMs} ms (vs 1-activity wf)`,
      fmt(run.bridge.incidentsPerSecond),
      fmt(run.ceiling.incidentsPerSecond),
      fmt(run.ratio),
      '≥ 0.90',
      verdict(run.ratio >= 0.9),
    ],
    [
      `3 calls ${storage}`,
      `ServiceNow calls/incident @${run.latencyMs} ms`,
      fmt(run.bridge.callsPerIncident),
      '1',
      fmt(run.bridge.callsPerIncident),
      '= 1.00',
      verdict(run.bridge.callsPerIncident === 1),
    ],
  ]);
  return [...rows, ...actionRows(storage, outcome.data.actions), ...overheadRows(storage, outcome.data.overhead)];
}

/** Billable Temporal Cloud actions per incident, from the histories and from the server's `action` metric. */
function actionRows(storage: string, { bridge, ceiling }: EndToEndResult['actions']): Row[] {
  const { perIncident, metricPerIncident, metricRatio } = bridge;
  return [
    [
      `2 actions ${storage}`,
      `actions/incident, history (metric ${fmt(metricPerIncident)}, metric/history ${fmt(metricRatio)})`,
      fmt(perIncident),
      fmt(ceiling.perIncident),
      fmt(perIncident / ceiling.perIncident),
      '≤ 3',
      verdict(perIncident <= 3),
    ],
  ];
}

function drainRows(outcome: SectionOutcome<DrainResult>): Row[] {
  if (outcome.status !== 'ok') return unavailable('4 drain', outcome);
  const d = outcome.data;
  return [
    [
      '4 drain',
      `drain s, K=${d.events} R=${d.rateLimitPerSecond}/s (vs K/R)`,
      fmt(d.drainSeconds),
      fmt(d.idealSeconds),
      fmt(d.drainRatio),
      '≤ 1.2',
      verdict(d.drainRatio <= 1.2),
    ],
    [
      '4 drain',
      `peak calls in a simulator 1 s window (vs R), 429s=${d.rejected429}, sampled ${fmt(d.maxObservedPerSecond)}/s`,
      fmt(d.peakWindowCalls),
      fmt(d.rateLimitPerSecond),
      fmt(d.peakWindowRatio),
      '≤ 1.00, 0 × 429',
      verdict(d.limit === 'enforced'),
    ],
  ];
}

function footprintRows(outcome: SectionOutcome<FootprintResult>): Row[] {
  if (outcome.status !== 'ok') return unavailable('5 footprint', outcome);
  const f = outcome.data;
  const mb = (p: FootprintResult['worker']): string => `${fmt(p.idleMb)} / ${fmt(p.underLoadMb)} / ${fmt(p.parkedMb)}`;
  const parkedRatio =
    f.worker.parkedMb === null ? NaN : Math.round((f.worker.parkedMb / f.parkedCeilingMb) * 100) / 100;
  return [
    [
      '5 footprint',
      `worker RSS MB idle/load/${f.parkedWorkflows} parked`,
      mb(f.worker),
      fmt(f.parkedCeilingMb),
      fmt(parkedRatio),
      '≤ 300 MB',
      verdict(f.worker.parkedMb !== null && f.worker.parkedMb <= f.parkedCeilingMb),
    ],
    ['5 footprint', 'webhook RSS MB idle/load/parked', mb(f.webhook), '', '', '', ''],
  ];
}

function syncRows(outcome: SectionOutcome<SyncBaselineResult>): Row[] {
  if (outcome.status !== 'ok') return unavailable('6 sync', outcome);
  const s = outcome.data;
  return [
    [
      '6 sync',
      `ack p50/p99 ms @${s.offeredPerSecond}/s, SN ${s.latencyMs} ms (bridge vs relay)`,
      lat(s.bridge.ack.latencyMs),
      lat(s.syncRelay.ack.latencyMs),
      `${fmt(s.p50Ratio)}x`,
      '',
      '',
    ],
    [
      '6 sync',
      `outage: non-2xx of ${s.bridge.outage.sent} (dropped at num_retries 0)`,
      fmt(s.bridge.outage.non2xx),
      fmt(s.syncRelay.outage.non2xx),
      '',
      'bridge 0',
      verdict(s.bridge.outage.non2xx === 0),
    ],
    [
      '6 sync',
      'outage: incidents after recovery',
      fmt(s.bridge.outage.incidentsAfterRecovery),
      fmt(s.syncRelay.outage.incidentsAfterRecovery),
      '',
      '',
      '',
    ],
  ];
}

const HEADER: Row = ['section', 'measure', 'bridge', 'floor/ceiling', 'ratio', 'target', ''];

export function renderTable(report: BenchReport): string {
  const { sections } = report;
  const rows: Row[] = [
    ...Object.entries(sections.ack).flatMap(([storage, outcome]) => ackRows(storage, outcome)),
    ...Object.entries(sections.endToEnd).flatMap(([storage, outcome]) => endToEndRows(storage, outcome)),
    ...drainRows(sections.drain),
    ...footprintRows(sections.footprint),
    ...syncRows(sections.syncBaseline),
  ];
  const widths = HEADER.map((_, column) => Math.max(...[HEADER, ...rows].map((row) => row[column].length)));
  const line = (row: Row): string =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join(' | ')
      .trimEnd();
  const m = report.machine;
  const servers = Object.entries(report.servers).map(([storage, server]) => `${storage}: ${server}`);
  return [
    `incident-bridge benchmark, ${report.generatedAt}: ${m.cpuModel} × ${m.cores}, ${m.memoryMb} MiB, Node ${m.node}, scale ${report.settings.scale}, ${report.durationSeconds} s`,
    `Temporal (BENCH_TEMPORAL=${report.settings.temporal}): ${servers.join('; ') || 'none started'}`,
    line(HEADER),
    widths.map((width) => '-'.repeat(width)).join('-|-'),
    ...rows.map(line),
  ].join('\n');
}

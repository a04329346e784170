import type { EndToEndResult } from './e2e';
import { ratio } from './timing';

/** One line of the printed table: what was measured, against what, and whether it met its target. */
export type Row = [
  section: string,
  measure: string,
  bridge: string,
  reference: string,
  ratio: string,
  target: string,
  verdict: string,
];

export const verdict = (pass: boolean | undefined): string => (pass === undefined ? '' : pass ? 'ok' : 'MISS');
export const fmt = (value: number | null | undefined): string =>
  value === null || value === undefined || Number.isNaN(value) ? '-' : String(value);
export const lat = (p: { p50: number; p99: number }): string => `${fmt(p.p50)} / ${fmt(p.p99)}`;

/** End-to-end overhead at half saturation; the one-activity floor's figure shows what bounds the bridge's. */
export function overheadRows(storage: string, { bridge, floor }: EndToEndResult['overhead']): Row[] {
  const at = (o: EndToEndResult['overhead']['bridge']): string => `${fmt(o.ratePerSecond)}/s`;
  const label = `POST→stored − ${bridge.latencyMs} ms, p50 (bridge @${at(bridge)}, floor @${at(floor)})`;
  const p99 = `same, p99`;
  return [
    [
      `2 overhead ${storage}`,
      label,
      fmt(bridge.overheadMs.p50),
      fmt(floor.overheadMs.p50),
      fmt(ratio(bridge.overheadMs.p50, floor.overheadMs.p50)),
      '≤ 60 ms',
      verdict(bridge.overheadMs.p50 <= 60),
    ],
    [
      `2 overhead ${storage}`,
      p99,
      fmt(bridge.overheadMs.p99),
      fmt(floor.overheadMs.p99),
      fmt(ratio(bridge.overheadMs.p99, floor.overheadMs.p99)),
      '≤ 250 ms',
      verdict(bridge.overheadMs.p99 <= 250),
    ],
  ];
}

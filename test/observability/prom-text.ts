/**
 * A strict reader of the Prometheus text exposition format (0.0.4), enough to prove an endpoint is
 * scrapeable: every sample line parses, every family has HELP and TYPE before its samples.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
  helped: Set<string>;
  /** The value of the one sample with this name and (at least) these labels; undefined when absent. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;
const METRIC_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  let consumed = 0;
  for (let match = LABEL.exec(text); match; match = LABEL.exec(text)) {
    labels[match[1]] = match[2].replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    consumed = LABEL.lastIndex;
  }
  if (consumed !== text.length) throw new Error(`malformed labels in line: ${line}`);
  return labels;
}

/** Go's ParseFloat, which Prometheus uses: special values in any case (prom-client writes `Nan`). */
function parseValue(text: string): number | undefined {
  const special: Record<string, number> = { nan: NaN, '+inf': Infinity, inf: Infinity, '-inf': -Infinity };
  if (text.toLowerCase() in special) return special[text.toLowerCase()];
  const value = Number(text);
  return text.trim() !== '' && !Number.isNaN(value) ? value : undefined;
}

const familyOf = (name: string, types: Map<string, string>) =>
  types.has(name) ? name : name.replace(/_(bucket|sum|count|total|created)$/, '');

export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const helped = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const comment = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (comment) {
      if (comment[1] === 'HELP') helped.add(comment[2]);
      else if (METRIC_TYPES.has(comment[3] ?? '')) types.set(comment[2], comment[3]!);
      else throw new Error(`unknown metric type in line: ${line}`);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    const value = match ? parseValue(match[3]) : undefined;
    if (!match || value === undefined) throw new Error(`malformed sample line: ${line}`);
    samples.push({ name: match[1], labels: parseLabels(match[2] ?? '', line), value });
  }
  return {
    samples,
    types,
    helped,
    value(name, labels = {}) {
      const found = samples.filter(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      );
      if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
      return found[0]?.value;
    },
  };
}

/** Families with this prefix that lack a HELP or a TYPE line (should be none). */
export function undeclaredFamilies(exposition: Exposition, prefix: string): string[] {
  const families = new Set(exposition.samples.map((s) => familyOf(s.name, exposition.types)));
  return [...families].filter(
    (family) => family.startsWith(prefix) && !(exposition.types.has(family) && exposition.helped.has(family)),
  );
}

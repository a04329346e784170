import { correlationIdFor, workflowIdFor } from '../../src/contract';
import { z } from 'zod';
import { buildEvents, deliveryOrder } from '../../dev/chaos/deliveries';
import { planFaults } from '../../dev/chaos/fault-plan';
import { ciRun, fullRun } from '../../dev/chaos/options';
import { envDuration } from '../../src/settings/duration';
import { parseEnv } from '../../src/settings/env';
import { judge, type ChaosReport } from '../../dev/chaos/report';
import { tallyIncidents } from '../../dev/chaos/tally';
import { createRng } from '../../dev/simulator/servicenow/rng';

const events = buildEvents(5, createRng(7));
const [once, twice, cancelled, parked, missing] = events;
const incident = (event: (typeof events)[number], state = '1') => ({
  correlation_id: correlationIdFor(event.trigger, event.id),
  state,
});

test('when the simulator holds duplicates, cancelled duplicates and nothing for some events, then each is counted in its own column', () => {
  const records = [incident(once), incident(twice), incident(twice), incident(cancelled), incident(cancelled, '8')];
  const accepted = new Set(events.map((event) => event.id));
  const tally = tallyIncidents(events, accepted, records, [workflowIdFor(parked.trigger, parked.id)]);
  expect(tally).toEqual({
    incidents: 5,
    exactlyOnce: 2,
    activeDuplicates: 1,
    cancelledDuplicates: 1,
    lost: [missing.id],
    parked: [parked.id],
    neverAccepted: [],
    incidentsWithoutAcceptance: 0,
  });
});

test('when an event was never accepted, then its missing incident is not counted as lost', () => {
  const tally = tallyIncidents([missing], new Set(), [], []);
  expect(tally).toMatchObject({ lost: [], neverAccepted: [missing.id] });
});

test('when events are ordered for delivery, then each appears exactly twice, shuffled', () => {
  const order = deliveryOrder(events, createRng(1));
  expect(order).toHaveLength(10);
  for (const event of events) expect(order.filter((e) => e === event)).toHaveLength(2);
  expect(order.map((e) => e.id)).not.toEqual([...events, ...events].map((e) => e.id));
});

test('when a promise is broken, then the run is judged failed with one line per broken promise', () => {
  const base = {
    aborted: false,
    timings: { drained: true, drainMs: 1, ingestMs: 1, totalMs: 1 },
    lost: [],
    duplicates: { active: 0, cancelled: 2 },
    stuck: [],
    parked: [],
    neverAccepted: 0,
    faults: { failedToInject: 0, byKind: {}, log: [] },
  } as unknown as Omit<ChaosReport, 'failures'>;
  expect(judge(base)).toEqual([]);
  expect(judge({ ...base, lost: ['e1'], duplicates: { active: 1, cancelled: 0 }, stuck: ['w1'] })).toEqual([
    '1 accepted event(s) without an incident, e.g. e1',
    '1 active duplicate incident(s)',
    '1 workflow(s) stuck, e.g. w1',
  ]);
});

test.each([
  ['the CI run', ciRun()],
  ['the full run', fullRun()],
])(
  'when %s delays commits, then each stays invisible longer than the HTTP timeout and shorter than the late check delay',
  (_name, options) => {
    const httpTimeoutMs = Number(options.bridgeEnv.SERVICENOW_REQUEST_TIMEOUT_MS);
    const checkDelayMs = parseEnv(z.object({ d: envDuration }), { d: options.bridgeEnv.DUPLICATE_CHECK_DELAY }).d;
    const steps = planFaults({ ...options.faults, ingestMs: 100_000 }).filter(
      (s) => s.kind === 'servicenow-delayed-commit',
    );
    expect(steps.map((s) => s.answer)).toEqual(['never', 'late', 'after-commit']);
    for (const step of steps) {
      expect(step.count).toBeGreaterThan(0);
      expect(step.commitAfterMs).toBeGreaterThan(httpTimeoutMs);
      expect(step.commitAfterMs).toBeLessThan(checkDelayMs);
    }
  },
);

import { randomUUID } from 'node:crypto';
import { Secret } from '../../src/common/secret';
import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';
import { TicketAuthError, TicketNotFoundError, TicketValidationError } from '../../src/ticketing/errors';
import { createServiceNowTarget } from '../../src/ticketing/servicenow/client';
import { serviceNowOptionsFromEnv } from '../../src/settings/file/from-env';
import type { ServiceNowOptions } from '../../src/ticketing/servicenow/options';
import type { PooledTarget, TicketRef } from '../../src/ticketing/ticket-target';

/**
 * What the client expects of the Table API. Runs against the built-in simulator, or unchanged against a
 * real instance when SERVICENOW_INSTANCE_URL and its credentials are set (it then leaves a few closed incidents).
 */
interface Backend {
  options: ServiceNowOptions;
  describe: string;
  simulator?: ServiceNowSimulator;
}

async function chooseBackend(env: NodeJS.ProcessEnv): Promise<Backend> {
  let whyNotReal = 'SERVICENOW_INSTANCE_URL is not set';
  try {
    const real = serviceNowOptionsFromEnv(env);
    if (real) return { options: real, describe: `the instance at ${real.instanceUrl} (SERVICENOW_INSTANCE_URL)` };
  } catch (error) {
    whyNotReal = `the ServiceNow settings are incomplete (${(error as Error).message})`;
  }
  const simulator = await startServiceNowSimulator();
  const auth = { type: 'basic' as const, username: 'bridge', password: new Secret('bridge-password') };
  const describe = `the ServiceNow simulator at ${simulator.url} (no real-instance run: ${whyNotReal})`;
  return { options: { instanceUrl: simulator.url, auth }, describe, simulator };
}

let backend: Backend;
let target: PooledTarget;
const others: PooledTarget[] = [];
const correlationId = `contract:${randomUUID()}`;
const RESOLUTION = { close_code: 'Solution provided', close_notes: 'Resolved by the incident-bridge contract suite' };

function otherTarget(overrides: Partial<ServiceNowOptions>): PooledTarget {
  const created = createServiceNowTarget({ ...backend.options, ...overrides });
  others.push(created);
  return created;
}

beforeAll(async () => {
  backend = await chooseBackend(process.env);
  target = createServiceNowTarget(backend.options);
  console.log(`ServiceNow contract suite runs against ${backend.describe}`);
});

afterAll(async () => {
  await Promise.all([target, ...others].map((created) => created.close()));
  await backend.simulator?.close();
});

describe('ServiceNow Table API contract', () => {
  let kept: TicketRef;

  it('when an incident is created, then it comes back New with a sys_id, a number and a creation time', async () => {
    const fields = { short_description: `Contract check ${correlationId}`, urgency: '3', impact: '3' };

    kept = await target.create({ correlationId, fields });

    expect(kept.id).toMatch(/^[0-9a-f]{32}$/);
    expect(kept.number).toMatch(/^[A-Z]+\d+$/);
    expect(kept.state).toBe('1');
    expect(kept.closed).toBe(false);
    expect(kept.createdAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('when searching by its correlation id, then exactly that incident is found', async () => {
    const found = await target.findByCorrelation(correlationId);

    expect(found.map((ref) => ref.id)).toEqual([kept.id]);
    expect(found[0]).toMatchObject({ number: kept.number, state: '1', createdAt: kept.createdAt });
  });

  it('when searching for an unused correlation id, then nothing is found', async () => {
    await expect(target.findByCorrelation(`contract:${randomUUID()}`)).resolves.toEqual([]);
  });

  it('when the incident is updated, then it keeps its identity and state', async () => {
    const updated = await target.update(kept, { work_notes: 'Contract suite: a later event arrived' });

    expect(updated).toMatchObject({ id: kept.id, number: kept.number, state: '1', closed: false });
  });

  it('when resolving without close_code and close_notes, then the data policy refuses it (validation)', async () => {
    await expect(target.resolve(kept, {})).rejects.toThrow(TicketValidationError);
    await expect(target.findByCorrelation(correlationId)).resolves.toMatchObject([{ id: kept.id, state: '1' }]);
  });

  it('when resolving with close_code and close_notes, then the incident is Resolved and closed', async () => {
    const resolved = await target.resolve(kept, RESOLUTION);

    expect(resolved).toMatchObject({ id: kept.id, state: '6', closed: true });
  });

  it('when resolving with configured defaults, then the defaults satisfy the data policy', async () => {
    const withDefaults = otherTarget({ resolveDefaults: RESOLUTION });
    const fields = { short_description: 'Resolved with the configured defaults' };
    const another = await withDefaults.create({ correlationId: `contract:${randomUUID()}`, fields });

    await expect(withDefaults.resolve(another, {})).resolves.toMatchObject({ state: '6', closed: true });
  });

  it('when a duplicate shares the correlation id, then it is listed second and can be cancelled', async () => {
    const fields = { short_description: 'Duplicate from a retried create' };
    const duplicate = await target.create({ correlationId, fields });

    const found = await target.findByCorrelation(correlationId);
    expect(found.map((ref) => ref.id)).toEqual([kept.id, duplicate.id]);

    await target.cancelDuplicate(duplicate, kept);
    const [, cancelled] = await target.findByCorrelation(correlationId);
    expect(cancelled).toMatchObject({ id: duplicate.id, state: '8', closed: true });
  });

  it('when the sys_id does not exist, then the update fails as not found', async () => {
    const missing = { id: '0123456789abcdef0123456789abcdef', number: 'INC0000000' };

    await expect(target.update(missing, { work_notes: 'x' })).rejects.toThrow(TicketNotFoundError);
  });

  it('when Basic credentials are wrong, then the call fails as an auth error', async () => {
    const username = backend.options.auth.type === 'basic' ? backend.options.auth.username : 'incident-bridge';
    const wrong = otherTarget({ auth: { type: 'basic', username, password: new Secret(`wrong-${randomUUID()}`) } });

    await expect(wrong.findByCorrelation(correlationId)).rejects.toThrow(TicketAuthError);
  });
});

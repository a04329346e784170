import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';

/** Answers read with sysparm_exclude_reference_link=true, so every value is a string. */
interface WriteBody {
  result: Record<string, string>;
  error: { message: string; detail: string | null };
}

const BASIC = `Basic ${Buffer.from('bridge:bridge-password').toString('base64')}`;
const JSON_HEADERS = { authorization: BASIC, 'content-type': 'application/json', accept: 'application/json' };
const DATA_POLICY_403 = {
  error: {
    message: 'Operation Failed',
    detail: 'Data Policy Exception: The following fields are mandatory: Resolution code, Resolution notes',
  },
  status: 'failure',
};

let sim: ServiceNowSimulator;

beforeAll(async () => {
  sim = await startServiceNowSimulator({ port: 0, seed: 3 });
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

async function createIncident(
  body: Record<string, unknown> = { short_description: 'x' },
): Promise<Record<string, string>> {
  const res = await fetch(`${sim.url}/api/now/table/incident?sysparm_exclude_reference_link=true`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify(body),
  });
  return ((await res.json()) as WriteBody).result;
}

function write(method: string, sysId: string, body: unknown, query = 'sysparm_exclude_reference_link=true') {
  return fetch(`${sim.url}/api/now/table/incident/${sysId}?${query}`, {
    method,
    headers: JSON_HEADERS,
    body: JSON.stringify(body),
  });
}

describe('update', () => {
  test.each(['PATCH', 'PUT'])(
    'when %s changes fields, then it is a partial update with sys_mod_count +1 and priority recomputed',
    async (method) => {
      const before = await createIncident({ short_description: 'keep me', impact: '3', urgency: '3' });
      const res = await write(method, before.sys_id, { impact: '1', urgency: '1' });
      expect(res.status).toBe(200);
      const { result } = (await res.json()) as WriteBody;
      expect(result).toMatchObject({
        short_description: 'keep me',
        impact: '1',
        urgency: '1',
        priority: '1',
        sys_mod_count: '1',
      });
      const again = (await (await write(method, before.sys_id, { urgency: '3' })).json()) as WriteBody;
      expect(again.result).toMatchObject({ priority: '3', sys_mod_count: '2' });
    },
  );

  test('when time passes before an update, then sys_updated_on moves and sys_created_on stays', async () => {
    const before = await createIncident();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const { result } = (await (await write('PATCH', before.sys_id, { description: 'later' })).json()) as WriteBody;
    expect(result.sys_created_on).toBe(before.sys_created_on);
    expect(result.sys_updated_on > before.sys_updated_on).toBe(true);
  });

  test('when the sys_id does not exist, then PATCH and PUT answer the sample 404', async () => {
    for (const method of ['PATCH', 'PUT']) {
      const res = await write(method, '0123456789abcdef0123456789abcdef', { description: 'x' });
      expect(res.status).toBe(404);
      expect(((await res.json()) as WriteBody).error.message).toBe('No Record found');
    }
  });

  test('when state is set, then incident_state mirrors it', async () => {
    const before = await createIncident();
    const { result } = (await (await write('PATCH', before.sys_id, { state: '2' })).json()) as WriteBody;
    expect(result).toMatchObject({ state: '2', incident_state: '2', active: 'true' });
  });
});

describe('resolve data policy', () => {
  test.each(['6', '7'])(
    'when state %s is set without resolution fields, then the answer is 403 and nothing changes',
    async (state) => {
      const before = await createIncident();
      const res = await write('PATCH', before.sys_id, { state });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual(DATA_POLICY_403);
      expect(sim.records()[0]).toMatchObject({ state: '1', sys_mod_count: '0' });
    },
  );

  test('when only the resolution notes are missing, then only they are named', async () => {
    const before = await createIncident();
    const res = await write('PATCH', before.sys_id, { state: '6', close_code: 'Solution provided' });
    expect(((await res.json()) as WriteBody).error.detail).toBe(
      'Data Policy Exception: The following fields are mandatory: Resolution notes',
    );
  });

  test('when resolving with both fields, then the incident is resolved, inactive and stamped', async () => {
    const before = await createIncident();
    const res = await write('PATCH', before.sys_id, {
      state: '6',
      close_code: 'Solution provided',
      close_notes: 'rebooted',
    });
    expect(res.status).toBe(200);
    const { result } = (await res.json()) as WriteBody;
    expect(result).toMatchObject({ state: '6', incident_state: '6', active: 'false', resolved_by: before.opened_by });
    expect(result.resolved_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  test('when the record already has the resolution fields, then closing needs nothing more', async () => {
    const before = await createIncident({ close_code: 'Duplicate', close_notes: 'dup of INC0000001' });
    const { result } = (await (await write('PUT', before.sys_id, { state: '7' })).json()) as WriteBody;
    expect(result).toMatchObject({ state: '7', active: 'false' });
    expect(result.closed_at).not.toBe('');
  });

  test('when an incident is canceled, then it is inactive without resolution fields', async () => {
    const before = await createIncident();
    const { result } = (await (await write('PATCH', before.sys_id, { state: '8' })).json()) as WriteBody;
    expect(result).toMatchObject({ state: '8', active: 'false', resolved_at: '' });
  });
});

describe('journal and references', () => {
  test('when work notes and comments are patched, then the fields read "" and the journal keeps both in order', async () => {
    const before = await createIncident();
    await write('PATCH', before.sys_id, { work_notes: 'first note' });
    const { result } = (await (await write('PATCH', before.sys_id, { comments: 'to the caller' })).json()) as WriteBody;
    expect(result).toMatchObject({ work_notes: '', comments: '' });
    expect(sim.journal(before.sys_id).map((entry) => [entry.element, entry.value])).toEqual([
      ['work_notes', 'first note'],
      ['comments', 'to the caller'],
    ]);
  });

  test('when references are given by display name with sysparm_input_display_value, then they are resolved to sys_ids', async () => {
    const before = await createIncident();
    const query = 'sysparm_input_display_value=true&sysparm_exclude_reference_link=true';
    const { result } = (await (
      await write('PATCH', before.sys_id, { assignment_group: 'Database', assigned_to: 'Beth Anglin' }, query)
    ).json()) as WriteBody;
    expect(result).toMatchObject({
      assignment_group: '287ee6fea9fe198100ada7950d0b1b73',
      assigned_to: '46d44a23a9fe19810012d100cca80666',
    });
  });

  test('when a display name is given without sysparm_input_display_value, then it is stored as is', async () => {
    const before = await createIncident();
    const { result } = (await (
      await write('PATCH', before.sys_id, { assignment_group: 'Database' })
    ).json()) as WriteBody;
    expect(result.assignment_group).toBe('Database');
  });
});

describe('delete', () => {
  test('when the record exists, then DELETE answers 204 and a second DELETE answers 404', async () => {
    const before = await createIncident();
    const remove = () =>
      fetch(`${sim.url}/api/now/table/incident/${before.sys_id}`, {
        method: 'DELETE',
        headers: { authorization: BASIC },
      });
    const first = await remove();
    expect(first.status).toBe(204);
    expect(await first.text()).toBe('');
    expect((await remove()).status).toBe(404);
    expect(sim.records()).toHaveLength(0);
  });
});

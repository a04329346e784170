import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';

/** A create answer (references render as objects) or an error. */
interface CreateBody {
  result: Record<string, unknown>;
  error: { message: string; detail: string | null };
}

const BASIC = `Basic ${Buffer.from('bridge:bridge-password').toString('base64')}`;
const JSON_HEADERS = { authorization: BASIC, 'content-type': 'application/json', accept: 'application/json' };
const NETWORK_GROUP = '287ebd7da9fe198100f92cc8d1d2154e';

let sim: ServiceNowSimulator;

beforeAll(async () => {
  sim = await startServiceNowSimulator({ port: 0, seed: 7 });
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

function create(body: unknown, options: { path?: string; headers?: Record<string, string> } = {}) {
  return fetch(`${sim.url}${options.path ?? '/api/now/table/incident'}`, {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...options.headers },
    body: JSON.stringify(body),
  });
}

describe('create incident', () => {
  test('when an incident is created, then the answer has the documented status, headers and shapes', async () => {
    const res = await create({
      short_description: 'Unable to connect to office wifi',
      assignment_group: NETWORK_GROUP,
      urgency: '2',
      impact: '2',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    const { result } = (await res.json()) as CreateBody;
    expect(res.headers.get('location')).toBe(`${sim.url}/api/now/table/incident/${result.sys_id}`);
    expect(result.sys_id).toMatch(/^[0-9a-f]{32}$/);
    expect(result.number).toBe('INC0010001');
    expect(result).toMatchObject({
      priority: '3',
      impact: '2',
      urgency: '2',
      state: '1',
      incident_state: '1',
      active: 'true',
      sys_mod_count: '0',
      severity: '3',
      approval: 'not requested',
      caller_id: '',
      work_notes: '',
      sys_created_by: 'bridge',
      assignment_group: { link: `${sim.url}/api/now/table/sys_user_group/${NETWORK_GROUP}`, value: NETWORK_GROUP },
    });
    expect(result.opened_by).toEqual({
      link: expect.stringContaining('/api/now/table/sys_user/'),
      value: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(result.sys_created_on).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const plainValues = Object.entries(result)
      .filter(([, v]) => typeof v !== 'string')
      .map(([k]) => k);
    expect(plainValues.sort()).toEqual(['assignment_group', 'opened_by', 'sys_domain']);
  });

  test('when the body is minimal, then the defaults of a real instance apply', async () => {
    const { result } = (await (await create({ short_description: 'x' })).json()) as CreateBody;
    expect(result).toMatchObject({
      impact: '3',
      urgency: '3',
      priority: '5',
      state: '1',
      active: 'true',
      category: 'inquiry',
    });
  });

  test('when several incidents are created, then numbers count up with seven digits', async () => {
    const numbers: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { result } = (await (await create({ short_description: `n${i}` })).json()) as CreateBody;
      numbers.push(String(result.number));
    }
    expect(numbers).toEqual(['INC0010001', 'INC0010002', 'INC0010003']);
  });

  test('when the caller supplies a number, then it is stored as given', async () => {
    const { result } = (await (await create({ short_description: 'x', number: 'ABCDEF123' })).json()) as CreateBody;
    expect(result.number).toBe('ABCDEF123');
  });

  test.each([
    ['1', '1', '1'],
    ['1', '2', '2'],
    ['1', '3', '3'],
    ['2', '1', '2'],
    ['2', '2', '3'],
    ['2', '3', '4'],
    ['3', '1', '3'],
    ['3', '2', '4'],
    ['3', '3', '5'],
  ])(
    'when impact is %s and urgency %s, then priority is %s whatever the body says',
    async (impact, urgency, priority) => {
      const { result } = (await (await create({ impact, urgency, priority: '1' })).json()) as CreateBody;
      expect(result.priority).toBe(priority);
    },
  );

  test('when values are not strings, then they are stored as strings', async () => {
    const { result } = (await (
      await create({ impact: 2, urgency: 1, description: null, knowledge: true })
    ).json()) as CreateBody;
    expect(result).toMatchObject({ impact: '2', urgency: '1', priority: '2', description: '', knowledge: 'true' });
    expect(sim.records()[0].impact).toBe('2');
  });

  test('when an array is posted, then only its first record is created', async () => {
    const res = await create([{ short_description: 'first' }, { short_description: 'second' }]);
    expect(res.status).toBe(201);
    expect(sim.records().map((r) => r.short_description)).toEqual(['first']);
  });

  test('when X-no-response-body is true, then the answer is an empty 201 with a Location', async () => {
    const res = await create({ short_description: 'quiet' }, { headers: { 'X-no-response-body': 'true' } });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('');
    expect(res.headers.get('location')).toBe(`${sim.url}/api/now/table/incident/${sim.records()[0].sys_id}`);
  });

  test('when the path carries a version, then the same create works and Location keeps the version', async () => {
    for (const version of ['v1', 'v2']) {
      const res = await create({ short_description: version }, { path: `/api/now/${version}/table/incident` });
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toContain(`/api/now/${version}/table/incident/`);
    }
  });

  test('when the table does not exist, then the answer is the sample 400', async () => {
    const res = await create({ short_description: 'x' }, { path: '/api/now/table/ss' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { message: 'Invalid table ss', detail: null }, status: 'failure' });
  });

  test.each([
    ['Content-Type is text/plain', { 'content-type': 'text/plain' }],
    ['Accept is text/html', { accept: 'text/html' }],
  ])('when %s, then the create is refused with 400 and nothing is stored', async (_label, headers) => {
    const res = await create({ short_description: 'x' }, { headers });
    expect(res.status).toBe(400);
    expect(((await res.json()) as CreateBody).error.message).toBe('Exception while reading request');
    expect(sim.records()).toHaveLength(0);
  });

  test('when the body is not JSON, then the answer is 400', async () => {
    const res = await fetch(`${sim.url}/api/now/table/incident`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{nope',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { message: 'Exception while reading request', detail: 'The payload is not valid JSON.' },
      status: 'failure',
    });
  });

  test('when the body names its own sys_id, then the insert fails as captured on a real instance', async () => {
    const res = await create({ sys_id: '00aaae01db4013004a4576efbf96197f', number: '2135483521432' });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: { detail: 'Error during insert of incident (2135483521432)', message: 'Operation Failed' },
      status: 'failure',
    });
  });

  test('when the body has unknown fields and sys fields, then they are ignored', async () => {
    const { result } = (await (
      await create({ u_nonsense: 'x', sys_created_by: 'mallory', short_description: 'ok' })
    ).json()) as CreateBody;
    expect(result).not.toHaveProperty('u_nonsense');
    expect(result.sys_created_by).toBe('bridge');
  });

  test('when the create carries a work note, then the field reads "" and the note is in the journal', async () => {
    const { result } = (await (
      await create({ short_description: 'x', work_notes: 'created by bridge' })
    ).json()) as CreateBody;
    expect(result.work_notes).toBe('');
    expect(sim.journal(String(result.sys_id))).toEqual([
      expect.objectContaining({ element: 'work_notes', value: 'created by bridge', sys_created_by: 'bridge' }),
    ]);
  });

  test('when the body is over 10 MB, then it is refused as a real instance refuses it', async () => {
    const res = await create({ description: 'x'.repeat(10_485_760) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as CreateBody).error.detail).toContain('Max allowed: 10485760 bytes');
  });
});

describe('configured tables', () => {
  test('when a table is configured, then it takes records and other tables stay invalid', async () => {
    const custom = await startServiceNowSimulator({ port: 0, tables: ['incident', 'u_events'] });
    try {
      const url = (table: string) => `${custom.url}/api/now/table/${table}`;
      const created = await fetch(url('u_events'), {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ u_note: 'hello' }),
      });
      expect(created.status).toBe(201);
      expect(((await created.json()) as CreateBody).result).toMatchObject({
        u_note: 'hello',
        sys_class_name: 'u_events',
        sys_mod_count: '0',
      });
      expect(custom.records('u_events')).toHaveLength(1);
      expect((await fetch(url('problem'), { method: 'POST', headers: JSON_HEADERS, body: '{}' })).status).toBe(400);
    } finally {
      await custom.close();
    }
  });
});

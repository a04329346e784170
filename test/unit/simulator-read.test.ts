import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';

/** One record, or a list of them, as the Table API answers. */
interface OneBody {
  result: Record<string, unknown>;
}
interface ListBody {
  result: Record<string, unknown>[];
}

const BASIC = `Basic ${Buffer.from('bridge:bridge-password').toString('base64')}`;
const JSON_HEADERS = { authorization: BASIC, 'content-type': 'application/json', accept: 'application/json' };
const BETH = '46d44a23a9fe19810012d100cca80666';
const NETWORK_GROUP = '287ebd7da9fe198100f92cc8d1d2154e';

let sim: ServiceNowSimulator;
const created: Record<string, unknown>[] = [];

beforeAll(async () => {
  sim = await startServiceNowSimulator({ port: 0, seed: 11 });
  for (let i = 1; i <= 5; i += 1) {
    const body = {
      short_description: `disk ${i}`,
      correlation_id: `read:${i}`,
      caller_id: BETH,
      assignment_group: NETWORK_GROUP,
    };
    const res = await fetch(`${sim.url}/api/now/table/incident`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(body),
    });
    created.push(((await res.json()) as OneBody).result);
  }
});
afterAll(() => sim.close());

function get(pathAndQuery: string) {
  return fetch(`${sim.url}${pathAndQuery}`, { headers: { authorization: BASIC, accept: 'application/json' } });
}

describe('read one record', () => {
  test('when the sys_id exists, then the answer is 200 with the record', async () => {
    const res = await get(`/api/now/table/incident/${created[0].sys_id}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as OneBody).result).toMatchObject({ sys_id: created[0].sys_id, number: 'INC0010001' });
  });

  test('when the sys_id does not exist, then the answer is the sample 404', async () => {
    const res = await get('/api/now/v2/table/incident/NoId');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { detail: "Record doesn't exist or ACL restricts the record retrieval", message: 'No Record found' },
      status: 'failure',
    });
  });
});

describe('list records', () => {
  test('when a query matches one record, then X-Total-Count counts it and the result is a list', async () => {
    const res = await get('/api/now/table/incident?sysparm_query=correlation_id%3Dread%3A3&sysparm_limit=1');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-total-count')).toBe('1');
    expect(((await res.json()) as ListBody).result.map((r) => r.number)).toEqual(['INC0010003']);
  });

  test('when nothing matches, then v2 answers 200 with [] and v1 answers 404', async () => {
    const v2 = await get('/api/now/v2/table/incident?sysparm_query=number%3DImpossibleNumber007&sysparm_limit=1');
    expect(v2.status).toBe(200);
    expect(v2.headers.get('x-total-count')).toBe('0');
    expect(await v2.json()).toEqual({ result: [] });
    const v1 = await get('/api/now/v1/table/incident?sysparm_query=number%3DImpossibleNumber007');
    expect(v1.status).toBe(404);
  });

  test('when limit and offset page through, then X-Total-Count stays the total and pages follow the order', async () => {
    const res = await get('/api/now/table/incident?sysparm_query=ORDERBYDESCnumber&sysparm_limit=2&sysparm_offset=1');
    expect(res.headers.get('x-total-count')).toBe('5');
    expect(((await res.json()) as ListBody).result.map((r) => r.number)).toEqual(['INC0010004', 'INC0010003']);
    const link = res.headers.get('link') ?? '';
    expect(link).toContain('rel="next"');
    expect(link).toMatch(/sysparm_offset=-1[^>]*>;rel="prev"/);
  });

  test('when no limit is given, then every match is returned', async () => {
    expect(((await (await get('/api/now/table/incident')).json()) as ListBody).result).toHaveLength(5);
  });

  test('when the pagination header is suppressed, then there is no Link header', async () => {
    const res = await get('/api/now/table/incident?sysparm_suppress_pagination_header=true&sysparm_limit=1');
    expect(res.headers.get('link')).toBeNull();
  });

  test('when sysparm_fields lists fields, then only the valid ones come back', async () => {
    const res = await get('/api/now/table/incident?sysparm_fields=sys_id,number,state,u_nope&sysparm_limit=1');
    expect(Object.keys(((await res.json()) as ListBody).result[0])).toEqual(['sys_id', 'number', 'state']);
  });

  test('when the query names an unknown field, then the part is ignored and everything matches', async () => {
    const res = await get('/api/now/table/incident?sysparm_query=correlation_idd%3Dread%3A3');
    expect(res.headers.get('x-total-count')).toBe('5');
  });
});

describe('reference and display rendering', () => {
  const path = (query: string) =>
    `/api/now/table/incident/${created[0].sys_id}?sysparm_fields=caller_id,state,priority,assigned_to&${query}`;

  test.each([
    [
      'default',
      '',
      { caller_id: { link: expect.stringContaining(`/sys_user/${BETH}`), value: BETH }, state: '1', assigned_to: '' },
    ],
    ['exclude_reference_link', 'sysparm_exclude_reference_link=true', { caller_id: BETH, state: '1', assigned_to: '' }],
    [
      'display_value=true',
      'sysparm_display_value=true',
      {
        caller_id: { display_value: 'Beth Anglin', link: expect.stringContaining(BETH) },
        state: 'New',
        priority: '5 - Planning',
        assigned_to: '',
      },
    ],
    [
      'display_value=true without links',
      'sysparm_display_value=true&sysparm_exclude_reference_link=true',
      { caller_id: 'Beth Anglin', state: 'New' },
    ],
    [
      'display_value=all',
      'sysparm_display_value=all',
      {
        caller_id: { display_value: 'Beth Anglin', link: expect.stringContaining(BETH), value: BETH },
        state: { display_value: 'New', value: '1' },
        assigned_to: { display_value: '', value: '' },
      },
    ],
  ])('when rendering is %s, then references and choices take that shape', async (_label, query, expected) => {
    const { result } = (await (await get(path(query))).json()) as OneBody;
    expect(result).toMatchObject(expected);
  });
});

describe('directory tables', () => {
  test('when the seeded groups are listed, then Network is there with its real sys_id', async () => {
    const res = await get('/api/now/table/sys_user_group?sysparm_query=name%3DNetwork');
    expect(((await res.json()) as ListBody).result).toEqual([
      expect.objectContaining({ sys_id: NETWORK_GROUP, name: 'Network' }),
    ]);
  });

  test('when an unknown API path is called, then the answer is a ServiceNow-style 400', async () => {
    const res = await get('/api/now/nothing/here');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 'failure' });
  });
});

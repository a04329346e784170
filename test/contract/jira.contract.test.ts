import { randomUUID } from 'node:crypto';
import { Secret } from '../../src/common/secret';
import { DEFAULT_JIRA_USER, startJiraSimulator, type JiraSimulator } from '../../dev/simulator/jira/server';
import { TicketValidationError } from '../../src/ticketing/errors';
import { adfToText, createJiraTarget, type JiraOptions } from '../../src/ticketing/jira';
import type { PooledTarget, TicketRef } from '../../src/ticketing/ticket-target';

/**
 * What the Jira target expects of Jira Cloud. Runs against the simulator, or unchanged against a real site
 * when JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN and JIRA_PROJECT are set (it then leaves a few Done issues).
 */
interface Backend {
  options: JiraOptions;
  describe: string;
  simulator?: JiraSimulator;
}

async function chooseBackend(env: NodeJS.ProcessEnv): Promise<Backend> {
  const { JIRA_BASE_URL: baseUrl, JIRA_EMAIL: email, JIRA_API_TOKEN: token, JIRA_PROJECT: project } = env;
  const common = { issueType: env.JIRA_ISSUE_TYPE ?? 'Task', doneTransition: env.JIRA_DONE_TRANSITION ?? 'Done' };
  if (baseUrl && email && token && project) {
    return {
      options: { ...common, baseUrl, email, project, apiToken: new Secret(token) },
      describe: `the Jira site at ${baseUrl}`,
    };
  }
  const simulator = await startJiraSimulator();
  const options = {
    ...common,
    baseUrl: simulator.url,
    project: 'OPS',
    email: DEFAULT_JIRA_USER.email,
    apiToken: new Secret(DEFAULT_JIRA_USER.apiToken),
  };
  return {
    options,
    describe: `the Jira simulator at ${simulator.url} (JIRA_BASE_URL/JIRA_EMAIL/JIRA_API_TOKEN/JIRA_PROJECT not all set)`,
    simulator,
  };
}

let backend: Backend;
let target: PooledTarget;
const correlationId = `contract:${randomUUID()}`;

beforeAll(async () => {
  backend = await chooseBackend(process.env);
  target = createJiraTarget(backend.options);
  console.log(`Jira contract suite runs against ${backend.describe}`);
});

afterAll(async () => {
  await target.close();
  await backend.simulator?.close();
});

/** The issue's comments as text, read straight from the REST API: the target has no call for them. */
async function commentTexts(ref: TicketRef): Promise<string[]> {
  const { baseUrl, email, apiToken } = backend.options;
  const auth = Buffer.from(`${email}:${apiToken.reveal()}`).toString('base64');
  const response = await fetch(`${baseUrl}/rest/api/3/issue/${ref.id}/comment`, {
    headers: { authorization: `Basic ${auth}`, accept: 'application/json' },
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { comments: { body: unknown }[] };
  return body.comments.map((comment) => adfToText(comment.body));
}

describe('Jira Cloud REST v3 contract', () => {
  let kept: TicketRef;
  let duplicate: TicketRef;

  it('when an issue is created, then it has a numeric id, a project key and a browse URL', async () => {
    kept = await target.create({
      correlationId,
      fields: { summary: `Contract check ${correlationId}`, description: 'Created by the contract suite' },
    });

    expect(kept.id).toMatch(/^\d+$/);
    expect(kept.number).toMatch(new RegExp(`^${backend.options.project}-\\d+$`));
    expect(kept.url).toBe(`${backend.options.baseUrl}/browse/${kept.number}`);
    expect(kept.closed).toBe(false);
  });

  it('when searching by its correlation id, then exactly that issue is found, open, with a creation time', async () => {
    const found = await target.findByCorrelation(correlationId);

    expect(found.map((ref) => ref.id)).toEqual([kept.id]);
    expect(found[0]).toMatchObject({
      number: kept.number,
      closed: false,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('when searching for an unused correlation id, then nothing is found', async () => {
    await expect(target.findByCorrelation(`contract:${randomUUID()}`)).resolves.toEqual([]);
  });

  it('when a second issue carries the same correlation id, then both are found oldest first', async () => {
    duplicate = await target.create({ correlationId, fields: { summary: `Contract duplicate ${correlationId}` } });

    const found = await target.findByCorrelation(correlationId);

    expect(found.map((ref) => ref.number)).toEqual([kept.number, duplicate.number]);
  });

  it('when the issue is updated with a work note, then it stays open', async () => {
    const updated = await target.update(kept, {
      summary: `Contract check (updated) ${correlationId}`,
      work_notes: 'Updated by the contract suite',
    });

    expect(updated).toMatchObject({ id: kept.id, number: kept.number, closed: false });
  });

  it('when the duplicate is cancelled, then it is closed and the kept issue is not', async () => {
    await target.cancelDuplicate(duplicate, kept);

    const found = await target.findByCorrelation(correlationId);
    expect(found.map((ref) => [ref.number, ref.closed])).toEqual([
      [kept.number, false],
      [duplicate.number, true],
    ]);
  });

  it('when asked to cancel the kept issue as its own duplicate, then it refuses', async () => {
    await expect(target.cancelDuplicate(kept, kept)).rejects.toThrow(TicketValidationError);
  });

  it('when an issue is created with a work note, then one request stores the issue with the note as its comment', async () => {
    const noted = await target.create({
      correlationId: `contract:${randomUUID()}`,
      fields: { summary: `Contract comment on create ${correlationId}`, work_notes: 'Noted on create' },
    });

    expect(await commentTexts(noted)).toEqual(['Noted on create']);
    // The site took the comment inside the create: no separate comment write (the fallback for sites that refuse it).
    expect(Object.keys(target.stats().byOperation)).not.toContain('createComment');
    await target.resolve(noted, {});
  });

  it('when the issue is resolved, then its status category is done; resolving again changes nothing', async () => {
    const resolved = await target.resolve(kept, { comment: 'Resolved by the contract suite' });

    expect(resolved).toMatchObject({ id: kept.id, closed: true, state: backend.options.doneTransition });
    await expect(target.resolve(kept, {})).resolves.toMatchObject({ closed: true });
  });
});

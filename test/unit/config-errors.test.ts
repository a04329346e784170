import { loadBridgeConfig } from '../../src/settings/file/load';
import { ConfigError } from '../../src/common/config-error';
import { configDir } from '../fixtures/config/write-config';

const SN =
  'sn: { type: servicenow, instance_url: https://x.service-now.com, auth: { type: basic, username: u, password: { env: SN_PASSWORD } } }';
const files = configDir();
afterAll(() => files.remove());

function problemsOf(yaml: string, env: NodeJS.ProcessEnv = { SN_PASSWORD: 'p' }): string[] {
  try {
    loadBridgeConfig({ env, path: files.write('bad.yaml', yaml) });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the config loaded, but it should have been refused');
}

const cases: { mistake: string; yaml: string; problem: RegExp; env?: NodeJS.ProcessEnv }[] = [
  {
    mistake: 'an unknown top-level key',
    yaml: `targets: { ${SN} }\ntrigers: {}`,
    problem: /^\(root\): Unrecognized key\(s\) in object: 'trigers'$/,
  },
  {
    mistake: 'an unknown key in a trigger',
    yaml: `targets: { ${SN} }\ntriggers: { t1: { feilds: {} } }`,
    problem: /^triggers\.t1: Unrecognized key\(s\) in object: 'feilds'$/,
  },
  {
    mistake: 'an unknown key in a target',
    yaml: `targets: { ${SN}, j: { type: jira, base_url: https://a.atlassian.net, project: OPS, email: a@example.com, api_token: { env: SN_PASSWORD }, colour: red } }`,
    problem: /^targets\.j: Unrecognized key\(s\) in object: 'colour'$/,
  },
  {
    mistake: 'a wrong type',
    yaml: `targets: { ${SN} }\ntriggers: { t1: { row_key: id } }`,
    problem: /^triggers\.t1\.row_key: Expected array, received string$/,
  },
  {
    mistake: 'an unknown op',
    yaml: `targets: { ${SN} }\ndefaults: { ops: [INSERT, UPSERT] }`,
    problem: /^defaults\.ops\.1: Invalid enum value/,
  },
  {
    mistake: 'an unknown target type',
    yaml: 'targets: { x: { type: zendesk } }',
    problem: /^targets\.x\.type: Invalid discriminator value\. Expected 'servicenow' \| 'jira' \| 'rest'$/,
  },
  {
    mistake: 'a plain-string secret',
    yaml: 'targets: { sn: { type: servicenow, instance_url: https://x.service-now.com, auth: { type: basic, username: u, password: hunter2 } } }',
    problem:
      /^targets\.sn\.auth\.password: plain-text secrets are not allowed: use \{ env: NAME \} or \{ file: \/path \}$/,
  },
  {
    mistake: 'a REST header that is neither text nor a secret reference',
    yaml: `targets: { r: { type: rest, headers: { authorization: { vault: x } }, create: { method: POST, url: u, id_path: id }, find: { method: GET, url: u, id_path: id }, update: { method: PATCH, url: u } } }`,
    problem: /^targets\.r\.headers\.authorization: must be \{ env: NAME \} or \{ file: \/path \}$/,
  },
  {
    mistake: 'a secret whose variable is unset',
    yaml: `targets: { ${SN} }`,
    env: {},
    problem: /^targets\.sn\.auth\.password: environment variable SN_PASSWORD \(or SN_PASSWORD_FILE\) is not set$/,
  },
  {
    mistake: 'a secret file that does not exist',
    yaml: 'targets: { sn: { type: servicenow, instance_url: https://x.service-now.com, auth: { type: api-key, api_key: { file: /nonexistent/key } } } }',
    problem: /^targets\.sn\.auth\.api_key: cannot read secret file: ENOENT/,
  },
  {
    mistake: 'an unknown target in a trigger',
    yaml: `targets: { ${SN} }\ntriggers: { t1: { target: jira } }`,
    problem: /^triggers\.t1\.target: unknown target "jira" \(configured targets: sn\)$/,
  },
  {
    mistake: 'an unknown lookup table',
    yaml: `targets: { ${SN} }\nlookups: { sev: { high: 1 } }\ntriggers: { t1: { fields: { urgency: "{{ row.p | lookup: 'severity' }}" } } }`,
    problem: /^triggers\.t1\.fields\.urgency: unknown lookup table "severity" \(defined under lookups: sev\)$/,
  },
  {
    mistake: 'a template syntax error',
    yaml: `targets: { ${SN} }\ntriggers: { t1: { fields: { urgency: "{{ row.p " } } }`,
    problem: /^triggers\.t1\.fields\.urgency: template error: output "\{\{ row\.p " not closed/,
  },
  {
    mistake: 'an unknown filter',
    yaml: `targets: { ${SN} }\ndefaults: { work_note: "{{ changes | shout }}" }`,
    problem: /^defaults\.work_note: template error: undefined filter: shout/,
  },
  {
    mistake: 'a REST body template error',
    yaml: 'targets: { r: { type: rest, create: { method: POST, url: "http://h/{{ x", id_path: id }, find: { method: GET, url: u, id_path: id }, update: { method: PATCH, url: u } } }',
    problem: /^targets\.r\.create\.url: template error/,
  },
  {
    mistake: 'a REST create without id_path',
    yaml: 'targets: { r: { type: rest, create: { method: POST, url: u }, find: { method: GET, url: u, id_path: id }, update: { method: PATCH, url: u } } }',
    problem: /^targets\.r\.create\.id_path: id_path is required$/,
  },
  {
    mistake: 'several targets and no default target',
    yaml: `targets: { ${SN}, sn2: { type: servicenow, instance_url: https://y.service-now.com, auth: { type: api-key, api_key: { env: SN_PASSWORD } } } }`,
    problem: /^defaults\.target: required when several targets are configured \(sn, sn2\)$/,
  },
  {
    mistake: 'an instance URL with a path',
    yaml: 'targets: { sn: { type: servicenow, instance_url: https://x.service-now.com/now, auth: { type: api-key, api_key: { env: SN_PASSWORD } } } }',
    problem: /^targets\.sn\.instance_url: must be the site root, without a path$/,
  },
  {
    mistake: 'a request timeout beyond the activity timeout',
    yaml: 'targets: { sn: { type: servicenow, instance_url: https://x.service-now.com, request_timeout: 45s, auth: { type: api-key, api_key: { env: SN_PASSWORD } } } }',
    problem: /^targets\.sn\.request_timeout: must stay below the 30 s activity timeout$/,
  },
  {
    mistake: 'a malformed duration',
    yaml: `targets: { ${SN} }\ndefaults: { lifecycle: { reorder_window: soon } }`,
    problem: /^defaults\.lifecycle\.reorder_window: not a duration: "soon"/,
  },
  {
    mistake: 'duplicate YAML keys',
    yaml: `targets: { ${SN} }\ndefaults: {}\ndefaults: {}`,
    problem: /bad\.yaml: YAML Map keys must be unique/,
  },
];

describe('refused configurations', () => {
  it.each(cases)('when the file has $mistake, then exactly one problem names the key', ({ yaml, problem, env }) => {
    const problems = problemsOf(yaml, env);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  it('when a file has several mistakes of the same stage, then each is reported', () => {
    const problems = problemsOf(
      `targets: { ${SN} }\ntriggers: { a: { target: nope }, b: { fields: { x: "{{ y | nope }}" } } }`,
    );

    expect(problems).toEqual([
      'triggers.a.target: unknown target "nope" (configured targets: sn)',
      'triggers.b.fields.x: template error: undefined filter: nope, line:1, col:1',
    ]);
  });

  it('when a refused secret is a real credential, then its value appears in no message', () => {
    const problems = problemsOf(
      'targets: { sn: { type: servicenow, instance_url: https://x.service-now.com, auth: { type: basic, username: u, password: "s3cr3t-value" } } }',
    );

    expect(problems.join('\n')).not.toContain('s3cr3t-value');
  });

  it('when BRIDGE_CONFIG names a missing file, then the problem names the variable and the path', () => {
    expect(() => loadBridgeConfig({ env: { BRIDGE_CONFIG: '/nonexistent/bridge.yaml' } })).toThrow(
      /BRIDGE_CONFIG: cannot read \/nonexistent\/bridge\.yaml/,
    );
  });
});

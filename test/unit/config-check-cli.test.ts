import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { transpileSources } from '../fixtures/config/transpile';
import { configDir } from '../fixtures/config/write-config';
import { readmeCommands } from '../helpers/readme';

const ROOT = join(__dirname, '../..');
const EXAMPLE_ENV = {
  SERVICENOW_PASSWORD: 'sn-dummy-secret',
  JIRA_API_TOKEN: 'jira-dummy-secret',
  TICKETS_AUTHORIZATION: 'Bearer dummy-secret',
  SOURCE_DATABASE_URL: 'postgres://bridge:dummy-secret@db:5432/app',
  HASURA_ADMIN_SECRET: 'hasura-dummy-secret',
  BRIDGE_CORRELATION_SECRET: 'correlation-dummy-secret-of-32-bytes',
};
const files = configDir();
let dist: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function checkConfig(args: string[], env: NodeJS.ProcessEnv = EXAMPLE_ENV): Promise<Run> {
  return new Promise((resolve) => {
    const childEnv = { PATH: process.env.PATH, NODE_PATH: join(ROOT, 'node_modules'), ...env };
    execFile(
      process.execPath,
      [join(dist, 'cli/check-main.js'), ...args],
      { cwd: ROOT, env: childEnv, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      },
    );
  });
}

beforeAll(() => {
  dist = transpileSources(ROOT);
});

afterAll(() => {
  rmSync(dist, { recursive: true, force: true });
  files.remove();
});

describe('npm run check-config', () => {
  it('when the example and the sample event are checked, then it exits 0 and prints the rendered fields without secrets', async () => {
    const run = await checkConfig(['examples/bridge.yaml', '--event', 'examples/hasura-insert-event.json']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('# examples/bridge.yaml is valid');
    expect(run.stdout).toMatch(/sample:\n {2}trigger: create_servicenow_incident\n {2}target: servicenow\n/);
    expect(run.stdout).toContain('short_description: Payment service returns 502 for EU customers');
    expect(run.stdout).toContain('opened_at: 2026-11-27 09:14:03');
    expect(run.stdout).toContain('apiToken: <secret>');
    expect(run.stdout).not.toMatch(/dummy-secret/);
  });

  it('when the file has problems, then it exits 2 with one line per problem', async () => {
    const path = files.write(
      'bad.yaml',
      'targets: { sn: { type: servicenow, instance_url: https://x.service-now.com, auth: { type: basic, username: u, password: pw } } }\nextra: 1\n',
    );

    const run = await checkConfig([path]);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      'invalid configuration (2 problems):',
      '  - targets.sn.auth.password: plain-text secrets are not allowed: use { env: NAME } or { file: /path }',
      "  - (root): Unrecognized key(s) in object: 'extra'",
    ]);
  });

  it('when the sample event cannot be rendered, then it exits 2 naming the field', async () => {
    const config = files.write(
      'date.yaml',
      'triggers: { create_servicenow_incident: { fields: { opened_at: "{{ row.title | servicenow_datetime }}" } } }',
    );
    const env = {
      SERVICENOW_INSTANCE_URL: 'https://x.service-now.com',
      SERVICENOW_USERNAME: 'u',
      SERVICENOW_PASSWORD: 'p',
    };

    const run = await checkConfig([config, '--event', 'examples/hasura-insert-event.json'], env);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /--event: trigger create_servicenow_incident, field opened_at \(template .*\): servicenow_datetime: not a date/,
    );
  });

  it("when the README's metadata check runs, then the sample trigger (ticket columns not listened to) passes without warnings", async () => {
    const [command] = readmeCommands('### Keeping it loop-free');
    expect(command).toMatch(/^npm run check-config -- /);
    const run = await checkConfig(command.replace('npm run check-config -- ', '').split(' '));

    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('# warning:');
  });

  it('when a writeback trigger listens to "*" or to a write-back column, then it warns and still exits 0', async () => {
    // A metadata directory as `hasura metadata export` lays it out, with both !include forms.
    const metadata = join(dirname(files.write('placeholder', '')), 'metadata');
    mkdirSync(join(metadata, 'databases'), { recursive: true });
    const table = (name: string, columns: string) =>
      `table: { schema: public, name: ${name} }\nevent_triggers:\n  - name: ${name}_trigger\n` +
      `    definition: { update: { columns: ${columns} } }\n`;
    const write = (file: string, text: string) => writeFileSync(join(metadata, 'databases', file), text);
    write('databases.yaml', '- name: default\n  kind: postgres\n  tables: "!include tables.yaml"\n');
    write('tables.yaml', '- "!include t.yaml"\n- !include u.yaml\n');
    write('t.yaml', table('t', '"*"'));
    write('u.yaml', table('u', '[title, ticket_state]'));
    const writeback = 'writeback: { via: postgres, columns: { ticket_state: "{{ action }}" } }';
    const config = files.write(
      'wb.yaml',
      `source: { postgres: { url: { env: SOURCE_DATABASE_URL } } }\n` +
        `triggers:\n  t_trigger: { ${writeback} }\n  u_trigger: { ${writeback} }\n`,
    );
    const env = { ...EXAMPLE_ENV, SERVICENOW_INSTANCE_URL: 'https://x.service-now.com', SERVICENOW_USERNAME: 'u' };

    const run = await checkConfig([config, '--hasura-metadata', metadata], env);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '# warning: Hasura trigger t_trigger on public.t: update.columns is "*", so every write-back records an UPDATE event',
    );
    expect(run.stdout).toContain(
      '# warning: Hasura trigger u_trigger on public.u: update.columns includes write-back column(s) ticket_state',
    );
  });

  it('when no file is given, then it exits 2 with the usage', async () => {
    const run = await checkConfig([]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('usage: npm run check-config -- <bridge.yaml> [--event <hasura-event.json>]');
  });
});

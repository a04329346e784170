import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { transpileSources } from '../fixtures/config/transpile';
import { configDir } from '../fixtures/config/write-config';
import { readmeCommands } from '../helpers/readme';
import { CORRELATION_ENV, CORRELATION_YAML } from '../helpers/correlation';

const ROOT = join(__dirname, '../..');
const files = configDir();
const CONFIG = files.write(
  'inbound.yaml',
  `
source: { postgres: { url: { env: SOURCE_DB_URL } } }
${CORRELATION_YAML}targets:
  sn: { type: servicenow, instance_url: https://x.service-now.com, table: incident,
        auth: { type: basic, username: svc.bridge, password: { env: SN_PASSWORD } } }
lookups: { st: { "6": resolved } }
triggers:
  incident_lifecycle:
    lifecycle: { enabled: true }
    writeback: { via: postgres, columns: { ticket_sys_id: "{{ ticket.id }}" } }
    inbound: { columns: { status: "{{ record.state | lookup: 'st' }}" }, ticket_column: ticket_sys_id }
  orders_plain: {}
`,
);
let dist: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run servicenow-script -- <args>` without the build step: the transpiled entry point. */
function script(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const childEnv = {
    PATH: process.env.PATH,
    NODE_PATH: join(ROOT, 'node_modules'),
    BRIDGE_CONFIG: CONFIG,
    SN_PASSWORD: 'sn-dummy-secret',
    SOURCE_DB_URL: 'postgres://bridge:pw@127.0.0.1:1/app',
    SERVICENOW_EVENTS_SECRET: 'events-dummy-secret',
    ...CORRELATION_ENV,
    ...env,
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(dist, 'cli/servicenow-script-main.js'), ...args],
      { cwd: ROOT, env: childEnv, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
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

describe('npm run servicenow-script', () => {
  it('when run as the README says, then it prints the property, the REST message and the async after-update rule', async () => {
    const [command] = readmeCommands('### ServiceNow back to the row').filter((c) =>
      c.startsWith('npm run servicenow-script'),
    );
    const run = await script(command.replace('npm run servicenow-script -- ', '').split(' '));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Basic Auth Credentials');
    expect(run.stdout).toContain('Name: x_incident_bridge.events_credential');
    expect(run.stdout).toContain(".getCredentialByID(gs.getProperty('x_incident_bridge.events_credential'));");
    expect(run.stdout).not.toContain('password2');
    expect(run.stdout).toContain('Endpoint: https://bridge.example.com/servicenow/events');
    expect(run.stdout).toContain('Table: incident');
    expect(run.stdout).toContain('When: async');
    expect(run.stdout).toContain('Filter Conditions: [Correlation ID] [starts with] [incident_lifecycle:]');
    expect(run.stdout).toContain(`.indexOf("incident_lifecycle:") !== 0) return;`);
    expect(run.stdout).toContain("new sn_ws.RESTMessageV2('incident-bridge', 'post change')");
    expect(run.stdout).toContain("sys_mod_count: parseInt(current.getValue('sys_mod_count'), 10)");
    expect(run.stdout).toContain("request.setRequestHeader('x-servicenow-secret', secret);");
    expect(run.stdout).not.toContain('generateMac');
    expect(run.stdout).not.toMatch(/dummy-secret/);
  });

  it('when the webhook checks HMAC, then the script signs the body with generateMac into the signature header', async () => {
    const run = await script(['--trigger', 'incident_lifecycle'], { SERVICENOW_EVENTS_AUTH: 'hmac' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('var key = GlideStringUtil.base64Encode(secret);');
    expect(run.stdout).toContain("new GlideCertificateEncryption().generateMac(key, 'HmacSHA256', body)");
    expect(run.stdout).toContain("request.setRequestHeader('x-servicenow-signature', mac);");
    expect(run.stdout).toContain('Endpoint: https://<incident-bridge webhook host>/servicenow/events');
  });

  it.each([
    [['--trigger', 'orders_plain'], 'triggers.orders_plain.inbound: not configured in BRIDGE_CONFIG'],
    [['--trigger', 'nope'], 'triggers.nope.inbound: not configured in BRIDGE_CONFIG'],
    [[], 'usage: npm run servicenow-script -- --trigger <name> [--url <webhook base URL>]'],
  ])('when run with %j, then it exits 2 saying why', async (args, message) => {
    const run = await script(args);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(message);
  });
});

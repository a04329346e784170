import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { triggerConfig } from '../../src/config/bridge-config';
import { loadBridgeConfig } from '../../src/settings/file/load';
import { configurationReference } from '../../src/settings/file/docs';
import { ConfigError } from '../../src/common/config-error';
import { Secret } from '../../src/common/secret';
import { DEFAULT_MAPPING } from '../../src/mapping/mapper';
import { createTargets } from '../../src/ticketing/create-targets';
import { configDir } from '../fixtures/config/write-config';
import { CORRELATION_ENV, CORRELATION_YAML } from '../helpers/correlation';

const ROOT = join(__dirname, '../..');
const EXAMPLE_ENV = {
  SERVICENOW_PASSWORD: 'sn-dummy',
  JIRA_API_TOKEN: 'jira-dummy',
  TICKETS_AUTHORIZATION: 'Bearer dummy',
  SOURCE_DATABASE_URL: 'postgres://bridge:db-dummy@db:5432/app',
  HASURA_ADMIN_SECRET: 'hasura-dummy',
  BRIDGE_CORRELATION_SECRET: 'correlation-dummy-secret-of-32-bytes',
};
const files = configDir();
afterAll(() => files.remove());

describe('examples/bridge.yaml', () => {
  it('when the example is loaded with its variables set, then it has all three target types and a lifecycle trigger', () => {
    const config = loadBridgeConfig({ env: EXAMPLE_ENV, path: join(ROOT, 'examples/bridge.yaml') });

    expect(
      Object.values(config.targets)
        .map((target) => target.type)
        .sort(),
    ).toEqual(['jira', 'rest', 'servicenow']);
    expect(config.triggers.create_servicenow_incident.lifecycle).toMatchObject({
      enabled: true,
      manual: 'upsert',
      onClosed: 'reopen',
      reorderWindowMs: 5000,
    });
    expect(config.triggers.security_finding_to_jira).toMatchObject({
      target: 'jira',
      ops: ['INSERT', 'MANUAL'],
      rowKey: ['id'],
    });
  });

  it('when the example is loaded, then secrets are Secrets that print as <secret>', () => {
    const config = loadBridgeConfig({ env: EXAMPLE_ENV, path: join(ROOT, 'examples/bridge.yaml') });
    const jira = config.targets.jira;

    expect(jira.type === 'jira' && jira.apiToken).toBeInstanceOf(Secret);
    expect(jira.type === 'jira' && jira.apiToken.reveal()).toBe('jira-dummy');
    const printed = `${JSON.stringify(config)}${inspect(config, { depth: 10 })}`;
    for (const value of Object.values(EXAMPLE_ENV)) expect(printed).not.toContain(value);
  });
});

describe('defaults and triggers', () => {
  const yaml = `
targets:
  sn: { type: servicenow, instance_url: https://x.service-now.com, auth: { type: api-key, api_key: { file: KEYFILE } } }
${CORRELATION_YAML}defaults:
  row_key: [uuid]
  lifecycle: { enabled: true, on_closed: create-new }
  fields: { short_description: "{{ row.title }}" }
  update_fields: { short_description: "upd {{ row.title }}" }
triggers:
  keeps_defaults: {}
  own_fields: { fields: { a: "x" }, lifecycle: { manual: upsert } }
  null_update: { update_fields: null }
`;
  let config: ReturnType<typeof loadBridgeConfig>;

  beforeAll(() => {
    const keyFile = files.write('key', '  api-key-from-file\n');
    config = loadBridgeConfig({
      env: CORRELATION_ENV,
      path: files.write('merge.yaml', yaml.replace('KEYFILE', keyFile)),
    });
  });

  it('when a trigger sets nothing, then it gets the defaults, and the only target is the default target', () => {
    expect(config.triggers.keeps_defaults).toEqual(config.defaults);
    expect(config.defaults.target).toBe('sn');
    expect(config.defaults.updateFields).toEqual({ short_description: 'upd {{ row.title }}' });
  });

  it('when a trigger sets fields and part of lifecycle, then fields replace and lifecycle merges key by key', () => {
    expect(config.triggers.own_fields).toMatchObject({
      rowKey: ['uuid'],
      fields: { a: 'x' },
      updateFields: { a: 'x' },
      lifecycle: { enabled: true, manual: 'upsert', onClosed: 'create-new', reorderWindowMs: 5000 },
    });
  });

  it('when a trigger sets update_fields to null, then updates use its fields', () => {
    expect(config.triggers.null_update.updateFields).toEqual({ short_description: '{{ row.title }}' });
  });

  it('when a trigger is not in the file, then triggerConfig gives the defaults', () => {
    expect(triggerConfig(config, 'unknown_trigger')).toBe(config.defaults);
    expect(triggerConfig(config, 'own_fields')).toBe(config.triggers.own_fields);
  });

  it('when a secret comes from a file, then it is read and trimmed', () => {
    const target = config.targets.sn;
    expect(target.type === 'servicenow' && target.auth.type === 'api-key' && target.auth.apiKey.reveal()).toBe(
      'api-key-from-file',
    );
  });
});

describe('without a config file', () => {
  const env = {
    SERVICENOW_INSTANCE_URL: 'https://dev1.service-now.com',
    SERVICENOW_USERNAME: 'u',
    SERVICENOW_PASSWORD: 'p',
  };

  it('when only SERVICENOW_* is set, then one servicenow target runs the built-in mapping with lifecycle off', () => {
    const config = loadBridgeConfig({ env });

    expect(Object.keys(config.targets)).toEqual(['servicenow']);
    expect(config.targets.servicenow).toMatchObject({
      type: 'servicenow',
      instanceUrl: 'https://dev1.service-now.com',
      auth: { type: 'basic', username: 'u' },
    });
    expect(config.defaults).toEqual(DEFAULT_MAPPING.defaults);
    expect(config.defaults.lifecycle.enabled).toBe(false);
  });

  it('when SERVICENOW_INSTANCE_URL is missing too, then the problem names it', () => {
    expect(() => loadBridgeConfig({ env: {} })).toThrow(ConfigError);
    expect(() => loadBridgeConfig({ env: {} })).toThrow(/SERVICENOW_INSTANCE_URL: required/);
  });

  it('when a file has mappings but no targets, then ServiceNow comes from the environment', () => {
    const config = loadBridgeConfig({
      env,
      path: files.write('no-targets.yaml', 'triggers: { t: { row_key: [pk] } }'),
    });

    expect(config.targets.servicenow.type).toBe('servicenow');
    expect(config.triggers.t).toMatchObject({ target: 'servicenow', rowKey: ['pk'] });
  });
});

describe('docs/configuration.md', () => {
  it('when the reference is regenerated from the schema, then it equals the committed file (run npm run docs:config)', () => {
    expect(readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8')).toBe(configurationReference());
  });
});

describe('createTargets', () => {
  it('when the example is turned into targets, then each name gets a target of its type and all close', async () => {
    const targets = createTargets(loadBridgeConfig({ env: EXAMPLE_ENV, path: join(ROOT, 'examples/bridge.yaml') }));

    expect(Object.fromEntries(Object.entries(targets.targets).map(([name, target]) => [name, target.kind]))).toEqual({
      servicenow: 'servicenow',
      jira: 'jira',
      'webhook-tickets': 'rest',
    });
    expect(targets.stats()).toEqual({
      servicenow: { calls: 0, byOperation: {} },
      jira: { calls: 0, byOperation: {} },
      'webhook-tickets': { calls: 0, byOperation: {} },
    });
    await targets.close();
  });
});

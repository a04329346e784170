import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '../../src/common/secret';
import { serviceNowOptionsFromEnv } from '../../src/settings/file/from-env';

const BASE = { SERVICENOW_INSTANCE_URL: 'https://dev12345.service-now.com/' };
let secretsDir: string;

beforeAll(() => {
  secretsDir = mkdtempSync(join(tmpdir(), 'servicenow-env-'));
});

afterAll(() => {
  rmSync(secretsDir, { recursive: true, force: true });
});

describe('serviceNowOptionsFromEnv', () => {
  it('when SERVICENOW_INSTANCE_URL is unset, then there is no ServiceNow target', () => {
    expect(serviceNowOptionsFromEnv({ SERVICENOW_USERNAME: 'bridge' })).toBeUndefined();
  });

  it('when Basic credentials and settings are given, then they become options with a Secret password', () => {
    const options = serviceNowOptionsFromEnv({
      ...BASE,
      SERVICENOW_USERNAME: 'bridge',
      SERVICENOW_PASSWORD: 'pw',
      SERVICENOW_TABLE: 'sn_si_incident',
      SERVICENOW_REQUEST_TIMEOUT_MS: '15000',
      SERVICENOW_INPUT_DISPLAY_VALUE: 'true',
    });

    expect(options).toMatchObject({
      instanceUrl: 'https://dev12345.service-now.com',
      table: 'sn_si_incident',
      requestTimeoutMs: 15000,
      inputDisplayValue: true,
      auth: { type: 'basic', username: 'bridge' },
    });
    const auth = options?.auth;
    expect(auth?.type === 'basic' && auth.password.reveal()).toBe('pw');
  });

  it('when a secret comes from a _FILE, then the trimmed file contents are used', () => {
    const file = join(secretsDir, 'client-secret');
    writeFileSync(file, 'from-file\n');

    const options = serviceNowOptionsFromEnv({
      ...BASE,
      SERVICENOW_AUTH: 'oauth-client-credentials',
      SERVICENOW_CLIENT_ID: 'bridge-client',
      SERVICENOW_CLIENT_SECRET_FILE: file,
      SERVICENOW_OAUTH_SCOPE: 'useraccount',
    });

    expect(options?.auth).toEqual({
      type: 'oauth',
      grant: 'client_credentials',
      clientId: 'bridge-client',
      clientSecret: expect.any(Secret),
      scope: 'useraccount',
    });
    expect(options?.auth.type === 'oauth' && options.auth.clientSecret.reveal()).toBe('from-file');
  });

  it('when the API key mode is chosen, then the key is a Secret', () => {
    const options = serviceNowOptionsFromEnv({ ...BASE, SERVICENOW_AUTH: 'api-key', SERVICENOW_API_KEY: 'k' });

    expect(options?.auth).toEqual({ type: 'api-key', apiKey: expect.any(Secret) });
  });

  it.each([
    ['SERVICENOW_AUTH', { SERVICENOW_AUTH: 'kerberos' }],
    ['SERVICENOW_REQUEST_TIMEOUT_MS', { SERVICENOW_REQUEST_TIMEOUT_MS: '30000' }],
    ['SERVICENOW_REQUEST_TIMEOUT_MS', { SERVICENOW_REQUEST_TIMEOUT_MS: '20s' }],
    ['SERVICENOW_INPUT_DISPLAY_VALUE', { SERVICENOW_INPUT_DISPLAY_VALUE: 'yes' }],
    ['SERVICENOW_TABLE', { SERVICENOW_TABLE: 'incident; drop' }],
    ['SERVICENOW_INSTANCE_URL', { SERVICENOW_INSTANCE_URL: 'https://dev1.service-now.com/api/now' }],
    ['SERVICENOW_PASSWORD_FILE', { SERVICENOW_PASSWORD_FILE: '/nonexistent/servicenow-password' }],
  ])('when %s is invalid, then the error names it', (name, overrides) => {
    const env = { ...BASE, SERVICENOW_USERNAME: 'bridge', SERVICENOW_PASSWORD: 'pw', ...overrides };

    expect(() => serviceNowOptionsFromEnv(env)).toThrow(name);
  });

  it('when the OAuth password grant lacks settings, then every missing variable is named at once', () => {
    const env = { ...BASE, SERVICENOW_AUTH: 'oauth-password', SERVICENOW_CLIENT_SECRET: 'cs' };

    expect(() => serviceNowOptionsFromEnv(env)).toThrow(
      /SERVICENOW_CLIENT_ID[^]*SERVICENOW_USERNAME[^]*SERVICENOW_PASSWORD \(or SERVICENOW_PASSWORD_FILE\)/,
    );
  });

  it('when the instance URL carries credentials, then it is refused without echoing them', () => {
    const env = { SERVICENOW_INSTANCE_URL: 'https://bridge:leaked-pw@dev1.service-now.com', SERVICENOW_PASSWORD: 'pw' };

    expect(() => serviceNowOptionsFromEnv({ ...env, SERVICENOW_USERNAME: 'bridge' })).toThrow(
      'must not carry credentials',
    );
    expect(() => serviceNowOptionsFromEnv({ ...env, SERVICENOW_USERNAME: 'bridge' })).not.toThrow('leaked-pw');
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { notifyConfigFromEnv } from '../../src/settings/notify';

const secretsDir = mkdtempSync(join(tmpdir(), 'notify-env-'));

afterAll(() => {
  rmSync(secretsDir, { recursive: true, force: true });
});

function secretFile(name: string, contents: string): string {
  const path = join(secretsDir, name);
  writeFileSync(path, contents);
  return path;
}

const emailEnv = {
  SMTP_HOST: 'smtp.example.test',
  NOTIFY_EMAIL_TO: 'ops@example.test',
  NOTIFY_EMAIL_FROM: 'bridge@example.test',
};

describe('notifyConfigFromEnv', () => {
  test('when no notification variables are set, then every channel is off', () => {
    const config = notifyConfigFromEnv({ PATH: '/usr/bin' });

    expect(config).toEqual({ email: undefined, chat: undefined, webhook: undefined });
  });

  test('when every variable is set, then each channel is configured with secrets wrapped', () => {
    const config = notifyConfigFromEnv({
      ...emailEnv,
      SMTP_PORT: '465',
      SMTP_SECURE: 'true',
      SMTP_REQUIRE_TLS: 'true',
      SMTP_USER: 'mailer',
      SMTP_PASSWORD: 'smtp-secret',
      NOTIFY_EMAIL_TO: 'ops@example.test, oncall@example.test',
      NOTIFY_EMAIL_FROM: 'Incident Bridge <bridge@example.test>',
      NOTIFY_EMAIL_SUBJECT_PREFIX: '[prod]',
      NOTIFY_CHAT_WEBHOOK_URL: 'https://hooks.slack.test/services/T1/B2/chat-token',
      NOTIFY_CHAT_FORMAT: 'teams',
      NOTIFY_WEBHOOK_URL: 'https://receiver.example.test/events',
      NOTIFY_WEBHOOK_HEADERS: '{"Authorization":"Bearer header-secret"}',
    });

    expect(config.email).toMatchObject({ host: 'smtp.example.test', port: 465, secure: true, requireTls: true });
    expect(config.email).toMatchObject({ from: 'Incident Bridge <bridge@example.test>', subjectPrefix: '[prod]' });
    expect(config.email?.to).toEqual(['ops@example.test', 'oncall@example.test']);
    expect(config.email?.auth?.user).toBe('mailer');
    expect(config.email?.auth?.pass.reveal()).toBe('smtp-secret');
    expect(config.chat?.format).toBe('teams');
    expect(config.chat?.url.reveal()).toBe('https://hooks.slack.test/services/T1/B2/chat-token');
    expect(config.webhook?.url).toBe('https://receiver.example.test/events');
    expect(config.webhook?.headers?.Authorization.reveal()).toBe('Bearer header-secret');
    const printed = `${JSON.stringify(config)} ${inspect(config, { depth: 10 })}`;
    for (const secret of ['smtp-secret', 'chat-token', 'header-secret']) expect(printed).not.toContain(secret);
  });

  test('when only the required email variables are set, then the defaults apply', () => {
    const config = notifyConfigFromEnv({ ...emailEnv, SMTP_PORT: '', NOTIFY_CHAT_WEBHOOK_URL: 'https://chat.test/x' });

    expect(config.email).toMatchObject({ port: 587, secure: false, requireTls: undefined, auth: undefined });
    expect(config.chat?.format).toBe('slack');
  });

  test.each([
    ['SMTP_PORT', { ...emailEnv, SMTP_PORT: 'twenty-five' }],
    ['SMTP_PORT', { ...emailEnv, SMTP_PORT: '70000' }],
    ['SMTP_SECURE', { ...emailEnv, SMTP_SECURE: 'yes' }],
    ['SMTP_PORT', { ...emailEnv, SMTP_PORT: '25.5' }],
    ['SMTP_REQUIRE_TLS', { ...emailEnv, SMTP_REQUIRE_TLS: 'maybe' }],
    ['NOTIFY_EMAIL_TO', { ...emailEnv, NOTIFY_EMAIL_TO: 'ops@example.test, not-an-address' }],
    ['NOTIFY_EMAIL_FROM', { ...emailEnv, NOTIFY_EMAIL_FROM: 'Bridge <>' }],
    ['NOTIFY_EMAIL_TO', { SMTP_HOST: 'smtp.example.test', NOTIFY_EMAIL_FROM: 'bridge@example.test' }],
    ['SMTP_HOST', { NOTIFY_EMAIL_TO: 'ops@example.test', NOTIFY_EMAIL_FROM: 'bridge@example.test' }],
    ['NOTIFY_EMAIL_FROM', { SMTP_HOST: 'smtp.example.test', NOTIFY_EMAIL_TO: 'ops@example.test' }],
    ['SMTP_PASSWORD', { ...emailEnv, SMTP_USER: 'mailer' }],
    ['SMTP_USER', { ...emailEnv, SMTP_PASSWORD: 'pw' }],
    ['NOTIFY_CHAT_WEBHOOK_URL', { NOTIFY_CHAT_WEBHOOK_URL: 'ftp://chat.example.test/hook' }],
    ['NOTIFY_CHAT_FORMAT', { NOTIFY_CHAT_WEBHOOK_URL: 'https://chat.test/x', NOTIFY_CHAT_FORMAT: 'discord' }],
    ['NOTIFY_WEBHOOK_URL', { NOTIFY_WEBHOOK_URL: 'receiver.example.test/events' }],
    ['NOTIFY_WEBHOOK_URL', { NOTIFY_WEBHOOK_HEADERS: '{"X-Key":"k"}' }],
    ['NOTIFY_WEBHOOK_HEADERS', { NOTIFY_WEBHOOK_URL: 'https://r.test', NOTIFY_WEBHOOK_HEADERS: '["X-Key"]' }],
    ['NOTIFY_WEBHOOK_HEADERS', { NOTIFY_WEBHOOK_URL: 'https://r.test', NOTIFY_WEBHOOK_HEADERS: '{"X-Key":42}' }],
    ['NOTIFY_WEBHOOK_HEADERS', { NOTIFY_WEBHOOK_URL: 'https://r.test', NOTIFY_WEBHOOK_HEADERS: '{"Bad Name":"v"}' }],
  ])('when %s is invalid or missing, then the error names it', (variable, env) => {
    expect(() => notifyConfigFromEnv(env)).toThrow(new RegExp(`- ${variable}[:.]`));
  });

  test('when a secret variable is malformed, then the error does not repeat its value', () => {
    const attempts = [
      { NOTIFY_CHAT_WEBHOOK_URL: 'hooks.slack.test/services/leaky-chat-token' },
      { NOTIFY_WEBHOOK_URL: 'https://r.test', NOTIFY_WEBHOOK_HEADERS: '{"Authorization": leaky-header-token' },
      { NOTIFY_WEBHOOK_URL: 'https://r.test', NOTIFY_WEBHOOK_HEADERS: '{"Authorization": "a\\nleaky-header-token"}' },
    ];
    for (const env of attempts) {
      expect(() => notifyConfigFromEnv(env)).toThrow(/NOTIFY_/);
      expect(() => notifyConfigFromEnv(env)).not.toThrow(/leaky/);
    }
  });

  test('when secrets come from _FILE variables, then the trimmed file contents are used', () => {
    const config = notifyConfigFromEnv({
      ...emailEnv,
      SMTP_USER: 'mailer',
      SMTP_PASSWORD_FILE: secretFile('smtp-password', 'from-file-pw\n'),
      NOTIFY_CHAT_WEBHOOK_URL_FILE: secretFile('chat-url', 'https://chat.test/hook/file-token\n'),
      NOTIFY_WEBHOOK_URL: 'https://r.test',
      NOTIFY_WEBHOOK_HEADERS_FILE: secretFile('headers', '{"X-Api-Key":"file-key"}\n'),
    });

    expect(config.email?.auth?.pass.reveal()).toBe('from-file-pw');
    expect(config.chat?.url.reveal()).toBe('https://chat.test/hook/file-token');
    expect(config.webhook?.headers?.['X-Api-Key'].reveal()).toBe('file-key');
  });

  test('when a _FILE variable points at a missing file, then the error names that variable', () => {
    const env = { NOTIFY_CHAT_WEBHOOK_URL_FILE: join(secretsDir, 'does-not-exist') };

    expect(() => notifyConfigFromEnv(env)).toThrow(/NOTIFY_CHAT_WEBHOOK_URL_FILE: cannot be read \(ENOENT\)/);
  });
});

import { z } from 'zod';
import type { EmailConfig, NotifyConfig } from '../notify/types';
import { ConfigError, formatZodIssues } from '../common/config-error';
import { envBoolean, envInt, type Env } from './env';
import { Secret } from '../common/secret';
import { secretFromEnv } from './env';

// Deployment tools often set a variable to '' to mean "unset".
const unsetIfBlank = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(unsetIfBlank, schema.optional());
const withDefault = <T extends z.ZodTypeAny>(schema: T, fallback: z.input<T>) =>
  z.preprocess(unsetIfBlank, schema.default(fallback));

const ADDRESS = /^[^\s@<>,]+@[^\s@<>,]+$/;
const MAILBOX = /^(?:[^<>\r\n]*<([^<>\s]+)>|([^<>\s]+))$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const httpUrl = z.string().refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
  message: 'must be an http:// or https:// URL',
});
const mailbox = z.string().refine((value) => {
  const match = MAILBOX.exec(value.trim());
  return match !== null && ADDRESS.test(match[1] ?? match[2]);
}, 'must be an address or "Name <address>"');
const addressList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((address) => address.trim())
      .filter(Boolean),
  )
  .refine((addresses) => addresses.length > 0 && addresses.every((address) => ADDRESS.test(address)), {
    message: 'must be a comma-separated list of addresses',
  });
// The value is secret, so neither the JSON parser's message (which quotes the input) nor the value is repeated.
const headerObject = z
  .string()
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a JSON object of header names to values' });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(
      z.string().regex(HEADER_NAME, 'is not a valid header name'),
      z.string().regex(/^[^\r\n]*$/, 'must not contain line breaks'),
    ),
  );

const envSchema = z
  .object({
    SMTP_HOST: optional(z.string()),
    SMTP_PORT: withDefault(envInt(1, 65535), 587),
    SMTP_SECURE: withDefault(envBoolean, 'false'),
    SMTP_REQUIRE_TLS: optional(envBoolean),
    SMTP_USER: optional(z.string()),
    SMTP_PASSWORD: optional(z.string()),
    NOTIFY_EMAIL_FROM: optional(mailbox),
    NOTIFY_EMAIL_TO: optional(addressList),
    NOTIFY_EMAIL_SUBJECT_PREFIX: optional(z.string()),
    NOTIFY_CHAT_WEBHOOK_URL: optional(httpUrl),
    NOTIFY_CHAT_FORMAT: withDefault(z.enum(['slack', 'teams']), 'slack'),
    NOTIFY_WEBHOOK_URL: optional(httpUrl),
    NOTIFY_WEBHOOK_HEADERS: optional(headerObject),
  })
  .superRefine((vars, ctx) => {
    const needs = (present: unknown, missing: string, reason: string) => {
      if (present !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [missing], message: reason });
    };
    const emailWanted = vars.SMTP_HOST ?? vars.NOTIFY_EMAIL_TO;
    if (!vars.SMTP_HOST) needs(vars.NOTIFY_EMAIL_TO, 'SMTP_HOST', 'is required when NOTIFY_EMAIL_TO is set');
    if (!vars.NOTIFY_EMAIL_TO) needs(vars.SMTP_HOST, 'NOTIFY_EMAIL_TO', 'is required when SMTP_HOST is set');
    if (!vars.NOTIFY_EMAIL_FROM) needs(emailWanted, 'NOTIFY_EMAIL_FROM', 'is required when email is configured');
    if (!vars.SMTP_PASSWORD) needs(vars.SMTP_USER, 'SMTP_PASSWORD', 'is required when SMTP_USER is set');
    if (!vars.SMTP_USER) needs(vars.SMTP_PASSWORD, 'SMTP_USER', 'is required when SMTP_PASSWORD is set');
    if (!vars.NOTIFY_WEBHOOK_URL) {
      needs(vars.NOTIFY_WEBHOOK_HEADERS, 'NOTIFY_WEBHOOK_URL', 'is required when NOTIFY_WEBHOOK_HEADERS is set');
    }
  });

type NotifyEnv = z.infer<typeof envSchema>;

export const NOTIFY_VARIABLES: readonly string[] = Object.keys(envSchema.innerType().shape);

/** Secrets may come from `NAME_FILE`; they are read as plain strings only to be validated, then wrapped. */
const SECRET_VARIABLES = ['SMTP_PASSWORD', 'NOTIFY_CHAT_WEBHOOK_URL', 'NOTIFY_WEBHOOK_HEADERS'] as const;

export function notifyConfigFromEnv(env: Env): NotifyConfig {
  const input: Record<string, unknown> = { ...env };
  for (const name of SECRET_VARIABLES) input[name] = readSecret(env, name)?.reveal();
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(formatZodIssues(parsed.error));
  const vars = parsed.data;
  return {
    email: emailConfig(vars),
    chat: vars.NOTIFY_CHAT_WEBHOOK_URL
      ? { url: new Secret(vars.NOTIFY_CHAT_WEBHOOK_URL), format: vars.NOTIFY_CHAT_FORMAT }
      : undefined,
    webhook: vars.NOTIFY_WEBHOOK_URL ? { url: vars.NOTIFY_WEBHOOK_URL, headers: secretHeaders(vars) } : undefined,
  };
}

function emailConfig(vars: NotifyEnv): EmailConfig | undefined {
  if (!vars.SMTP_HOST || !vars.NOTIFY_EMAIL_TO || !vars.NOTIFY_EMAIL_FROM) return undefined;
  return {
    host: vars.SMTP_HOST,
    port: vars.SMTP_PORT,
    secure: vars.SMTP_SECURE,
    requireTls: vars.SMTP_REQUIRE_TLS,
    auth:
      vars.SMTP_USER && vars.SMTP_PASSWORD ? { user: vars.SMTP_USER, pass: new Secret(vars.SMTP_PASSWORD) } : undefined,
    from: vars.NOTIFY_EMAIL_FROM.trim(),
    to: vars.NOTIFY_EMAIL_TO,
    subjectPrefix: vars.NOTIFY_EMAIL_SUBJECT_PREFIX,
  };
}

function secretHeaders(vars: NotifyEnv): Record<string, Secret> | undefined {
  if (!vars.NOTIFY_WEBHOOK_HEADERS) return undefined;
  const entries = Object.entries(vars.NOTIFY_WEBHOOK_HEADERS);
  return Object.fromEntries(entries.map(([name, value]) => [name, new Secret(value)]));
}

function readSecret(env: Env, name: string): Secret | undefined {
  try {
    return secretFromEnv(env, name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([`${name}_FILE: cannot be read (${code})`]);
  }
}

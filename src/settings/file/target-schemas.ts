import { z } from 'zod';
import type { TargetConfig } from '../../ticketing/target-config';
import type { ServiceNowAuth } from '../../ticketing/servicenow/options';
import { requestTimeout, rootUrl } from './common';
import { restTargetSchema, toRestTargetConfig } from './rest-schema';
import { secretRefSchema, type SecretSource } from './secret-ref';

function serviceNowAuthSchema(secret: ReturnType<typeof secretRefSchema>) {
  const oauth = { client_id: z.string().min(1), client_secret: secret, scope: z.string().optional() };
  return z.discriminatedUnion('type', [
    z.object({ type: z.literal('basic'), username: z.string().min(1), password: secret }).strict(),
    z.object({ type: z.literal('api-key'), api_key: secret }).strict(),
    z.object({ type: z.literal('oauth-client-credentials'), ...oauth }).strict(),
    z.object({ type: z.literal('oauth-password'), ...oauth, username: z.string().min(1), password: secret }).strict(),
  ]);
}

type ServiceNowAuthInput = z.output<ReturnType<typeof serviceNowAuthSchema>>;

function toServiceNowAuth(auth: ServiceNowAuthInput): ServiceNowAuth {
  switch (auth.type) {
    case 'basic':
      return { type: 'basic', username: auth.username, password: auth.password };
    case 'api-key':
      return { type: 'api-key', apiKey: auth.api_key };
    case 'oauth-client-credentials':
      return {
        type: 'oauth',
        grant: 'client_credentials',
        clientId: auth.client_id,
        clientSecret: auth.client_secret,
        scope: auth.scope,
      };
    case 'oauth-password': {
      const { client_id: clientId, client_secret: clientSecret, username, password, scope } = auth;
      return { type: 'oauth', grant: 'password', clientId, clientSecret, username, password, scope };
    }
  }
}

function serviceNowSchema(secrets: SecretSource) {
  return z
    .object({
      type: z.literal('servicenow'),
      instance_url: rootUrl.describe('instance root, e.g. https://dev12345.service-now.com'),
      table: z
        .string()
        .regex(/^[a-z][a-z0-9_]*$/, 'must be a table name such as incident')
        .default('incident'),
      auth: serviceNowAuthSchema(secretRefSchema(secrets)).describe(
        '`type`: basic | api-key | oauth-client-credentials | oauth-password',
      ),
      input_display_value: z
        .boolean()
        .default(false)
        .describe('reference fields carry display names (sysparm_input_display_value)'),
      request_timeout: requestTimeout.optional(),
      resolve_defaults: z
        .object({ close_code: z.string().min(1), close_notes: z.string().min(1) })
        .strict()
        .optional()
        .describe('close_code / close_notes used when a resolve carries none'),
    })
    .strict();
}

function jiraSchema(secrets: SecretSource) {
  return z
    .object({
      type: z.literal('jira'),
      base_url: rootUrl.describe('site root, e.g. https://your-site.atlassian.net'),
      project: z.string().regex(/^[A-Z][A-Z0-9_]+$/, 'must be a project key such as OPS'),
      issue_type: z.string().min(1).default('Task'),
      email: z.string().email().describe('the Atlassian account the API token belongs to'),
      api_token: secretRefSchema(secrets),
      done_transition: z.string().min(1).default('Done').describe('transition or status name that resolves an issue'),
      cancel_transition: z
        .string()
        .min(1)
        .optional()
        .describe('transition or status for cancelled duplicates; default done_transition'),
      labels: z
        .array(z.string().regex(/^\S+$/, 'labels cannot contain spaces'))
        .default([])
        .describe('added to every issue'),
      request_timeout: requestTimeout.optional(),
    })
    .strict();
}

export function targetSchema(secrets: SecretSource) {
  return z
    .discriminatedUnion('type', [serviceNowSchema(secrets), jiraSchema(secrets), restTargetSchema(secrets)])
    .transform((target): TargetConfig => {
      switch (target.type) {
        case 'servicenow':
          return toServiceNowTargetConfig(target);
        case 'jira':
          return toJiraTargetConfig(target);
        case 'rest':
          return toRestTargetConfig(target);
      }
    });
}

function toServiceNowTargetConfig(target: z.output<ReturnType<typeof serviceNowSchema>>): TargetConfig {
  return {
    type: 'servicenow',
    instanceUrl: target.instance_url,
    table: target.table,
    auth: toServiceNowAuth(target.auth),
    inputDisplayValue: target.input_display_value,
    requestTimeoutMs: target.request_timeout,
    resolveDefaults: target.resolve_defaults,
  };
}

function toJiraTargetConfig(target: z.output<ReturnType<typeof jiraSchema>>): TargetConfig {
  return {
    type: 'jira',
    baseUrl: target.base_url,
    project: target.project,
    issueType: target.issue_type,
    email: target.email,
    apiToken: target.api_token,
    doneTransition: target.done_transition,
    cancelTransition: target.cancel_transition,
    labels: target.labels,
    requestTimeoutMs: target.request_timeout,
  };
}

import { z } from 'zod';
import type { RestTargetConfig } from '../../ticketing/target-config';
import {
  DEFAULT_SUCCESS_STATUSES,
  type HeaderValue,
  type RestFindOperation,
  type RestOperation,
} from '../../ticketing/rest/options';
import { requestTimeout } from './common';
import { secretRefSchema, type SecretSource } from './secret-ref';

const dotPath = z.string().regex(/^([A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*)?$/, 'must be a dot path such as result.0.id');

/** Plain text, or a secret reference whose own message (e.g. the unset variable) is kept. */
function headerValue(secrets: SecretSource) {
  const secret = secretRefSchema(secrets);
  return z.unknown().transform((value, ctx): HeaderValue => {
    if (typeof value === 'string') return value;
    const parsed = secret.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
    return z.NEVER;
  });
}

function headersSchema(secrets: SecretSource) {
  return z
    .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name'), headerValue(secrets))
    .default({})
    .describe('header name → plain text, or a secret reference for credentials');
}

function operationShape(secrets: SecretSource) {
  return {
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    url: z.string().min(1).describe('Liquid template; scope: fields, correlation_id, ticket (id, number), kept'),
    headers: headersSchema(secrets),
    body: z.string().optional().describe('Liquid template that must render JSON (use the `json` filter for values)'),
    success_statuses: z.array(z.number().int().min(200).max(299)).min(1).default(DEFAULT_SUCCESS_STATUSES),
    id_path: dotPath.optional().describe('dot path to the ticket id in the answer'),
    number_path: dotPath.optional().describe('dot path to the human key; default id_path'),
    created_path: dotPath.optional(),
    state_path: dotPath.optional(),
    closed_path: dotPath.optional().describe('a `true` there marks the ticket closed'),
    url_path: dotPath.optional(),
  };
}

function operationSchema(secrets: SecretSource) {
  return z.object(operationShape(secrets)).strict();
}

function findSchema(secrets: SecretSource) {
  return z
    .object({
      ...operationShape(secrets),
      results_path: dotPath.default('').describe('dot path to the list of matches'),
    })
    .strict()
    .refine((find) => find.id_path !== undefined, { message: 'id_path is required', path: ['id_path'] });
}

export function restTargetSchema(secrets: SecretSource) {
  return z
    .object({
      type: z.literal('rest'),
      headers: headersSchema(secrets),
      request_timeout: requestTimeout.optional(),
      create: operationSchema(secrets).refine((op) => op.id_path !== undefined, {
        message: 'id_path is required',
        path: ['id_path'],
      }),
      find: findSchema(secrets),
      update: operationSchema(secrets),
      resolve: operationSchema(secrets).optional().describe('absent: resolving is refused as not configured'),
      cancel_duplicate: operationSchema(secrets).optional().describe('absent: duplicates are left alone'),
    })
    .strict();
}

type RestInput = z.output<ReturnType<typeof restTargetSchema>>;
type OperationInput = z.output<ReturnType<typeof operationSchema>>;

function toOperation(op: OperationInput): RestOperation {
  return {
    method: op.method,
    url: op.url,
    headers: op.headers,
    body: op.body,
    successStatuses: op.success_statuses,
    idPath: op.id_path,
    numberPath: op.number_path,
    createdPath: op.created_path,
    statePath: op.state_path,
    closedPath: op.closed_path,
    urlPath: op.url_path,
  };
}

export function toRestTargetConfig(target: RestInput): RestTargetConfig {
  const find: RestFindOperation = { ...toOperation(target.find), resultsPath: target.find.results_path };
  return {
    type: 'rest',
    headers: target.headers,
    requestTimeoutMs: target.request_timeout,
    create: toOperation(target.create),
    find,
    update: toOperation(target.update),
    resolve: target.resolve && toOperation(target.resolve),
    cancelDuplicate: target.cancel_duplicate && toOperation(target.cancel_duplicate),
  };
}

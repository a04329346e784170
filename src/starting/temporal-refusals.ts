import { isGrpcServiceError } from '@temporalio/client';
import { NamespaceNotFoundError, WorkflowNotFoundError } from '@temporalio/common';
import { ALL_SEARCH_ATTRIBUTES } from '../contract/search-attributes';

/**
 * Temporal did not take the event, and a later delivery can succeed: by itself (Temporal away,
 * overloaded), or once an operator has done `fix`. The webhook answers 503 + Retry-After, which Hasura
 * honours even after its own retries ran out, so the event waits in Hasura instead of being given up.
 */
export class TemporalUnavailableError extends Error {
  override name = 'TemporalUnavailableError';
  constructor(
    message: string,
    /** The gRPC status name, or UNREACHABLE when the call never got one. */
    readonly status: string,
    /** What an operator must do; absent when Temporal recovers by itself. */
    readonly fix: string | undefined,
    options: ErrorOptions,
  ) {
    super(message, options);
  }
}

type Fix = (namespace: string, details: string) => string;

const registerSearchAttributes: Fix = (namespace) =>
  `register the search attributes: temporal operator search-attribute create --namespace ${namespace} ` +
  ALL_SEARCH_ATTRIBUTES.map((key) => `--name ${key.name} --type Keyword`).join(' ');

const FIXES: Record<string, Fix> = {
  INVALID_ARGUMENT: (namespace, details) =>
    /search attribute/i.test(details) && !/exceeds/i.test(details)
      ? registerSearchAttributes(namespace, details)
      : `raise the Temporal server limit this event exceeds in its dynamic config (limit.maxIDLength, ` +
        `limit.searchAttributesSizeOfValueLimit, limit.blobSize.error) or report a bridge bug: ${details}`,
  NOT_FOUND: (namespace) =>
    `create the namespace (or correct TEMPORAL_NAMESPACE): temporal operator namespace create --namespace ${namespace}, then register the search attributes`,
  PERMISSION_DENIED: (namespace) =>
    `grant the webhook's API key or client certificate write access to namespace ${namespace} (Temporal Cloud: the key's account or service account), or configure one that has it`,
  FAILED_PRECONDITION: (namespace, details) =>
    `namespace ${namespace} takes no new workflows here (not active on this cluster, being deleted, or this SDK refused): check temporal operator namespace describe --namespace ${namespace}; ${details}`,
  UNIMPLEMENTED: (_namespace, details) =>
    `upgrade the Temporal server (or the proxy in front of it) to one that implements what the webhook calls: ${details}`,
  UNAUTHENTICATED: () =>
    `Temporal does not accept the webhook's credentials (expired or revoked during a rotation?): set TEMPORAL_API_KEY, or TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH, to a current key or certificate and restart the webhook`,
};

/**
 * The one place that decides how a failed start is answered, by the gRPC status of Temporal's answer
 * (the SDK 1.24 client throws ServiceError with the gRPC error as `cause`, or its own error types):
 *
 * | gRPC status (code)                                 | answer              | because                                 |
 * |----------------------------------------------------|---------------------|-----------------------------------------|
 * | ALREADY_EXISTS 6 (WorkflowExecutionAlreadyStarted) | 200 (the caller)    | a redelivery after the run closed       |
 * | CANCELLED 1, UNKNOWN 2, DEADLINE_EXCEEDED 4,       | 503, warn           | Temporal away, overloaded or throttling:|
 * | RESOURCE_EXHAUSTED 8, ABORTED 10, INTERNAL 13,     |                     | it recovers by itself                   |
 * | UNAVAILABLE 14; connection failed before a status  |                     |                                         |
 * | INVALID_ARGUMENT 3                                 | 503, error + fix    | search attributes not registered (or of |
 * |                                                    |                     | another type), or a server limit        |
 * | NOT_FOUND 5 (NamespaceNotFoundError)               | 503, error + fix    | namespace missing or misnamed           |
 * | PERMISSION_DENIED 7                                | 503, error + fix    | key/certificate lacks namespace access  |
 * | FAILED_PRECONDITION 9                              | 503, error + fix    | namespace not active here, or deleted   |
 * | UNIMPLEMENTED 12                                   | 503, error + fix    | server or proxy too old                 |
 * | UNAUTHENTICATED 16                                 | 503, error + fix    | key/certificate expired or rotated      |
 * | OUT_OF_RANGE 11, DATA_LOSS 15, no gRPC status and  | 500 (undefined here)| a bug in the bridge: no retry fixes it  |
 * | no connection failure (e.g. a codec error)         |                     |                                         |
 *
 * The webhook checks the body (src/hasura/event-schema.ts) and builds the request itself, so an
 * INVALID_ARGUMENT means the namespace's setup or a server limit (an extremely long trigger name),
 * both an operator's to fix: a 500 would make Hasura give the event up.
 */
export function temporalRefusal(error: unknown, namespace: string): TemporalUnavailableError | undefined {
  const grpc = grpcStatusOf(error);
  const message = String((error as Error)?.message);
  if (!grpc) {
    // Connection establishment failures surface as plain errors before any gRPC status exists.
    if (!/connect|ECONNREFUSED|ETIMEDOUT|deadline|unavailable/i.test(message)) return undefined;
    return new TemporalUnavailableError(message, 'UNREACHABLE', undefined, { cause: error });
  }
  const status = GRPC_STATUS_NAMES[grpc.code];
  // The SDK's message is generic ("Failed to start Workflow"); the server's details say what is wrong.
  const text = grpc.details && grpc.details !== message ? `${message}: ${grpc.details}` : message;
  if (TRANSIENT.has(status)) return new TemporalUnavailableError(text, status, undefined, { cause: error });
  const fix = FIXES[status]?.(namespace, grpc.details);
  return fix ? new TemporalUnavailableError(text, status, fix, { cause: error }) : undefined;
}

const TRANSIENT = new Set([
  'CANCELLED',
  'UNKNOWN',
  'DEADLINE_EXCEEDED',
  'RESOURCE_EXHAUSTED',
  'ABORTED',
  'INTERNAL',
  'UNAVAILABLE',
]);

// Fixed by the gRPC spec (index = code); @grpc/grpc-js, which has them, is not our dependency.
const GRPC_STATUS_NAMES = (
  'OK CANCELLED UNKNOWN INVALID_ARGUMENT DEADLINE_EXCEEDED NOT_FOUND ALREADY_EXISTS PERMISSION_DENIED ' +
  'RESOURCE_EXHAUSTED FAILED_PRECONDITION ABORTED OUT_OF_RANGE UNIMPLEMENTED INTERNAL UNAVAILABLE DATA_LOSS UNAUTHENTICATED'
).split(' ');

/** The gRPC answer behind an SDK error: the error itself or a cause; the SDK's NOT_FOUND types carry none. */
function grpcStatusOf(error: unknown): { code: number; details: string } | undefined {
  if (error instanceof NamespaceNotFoundError || error instanceof WorkflowNotFoundError)
    return { code: 5, details: error.message };
  for (let current = error; current instanceof Error; current = current.cause) {
    if (isGrpcServiceError(current)) return { code: current.code, details: current.details };
  }
  return undefined;
}

import type { Secret } from '../../common/secret';
import type { HttpMethod } from '../http';

export type HeaderValue = string | Secret;

/**
 * One HTTP call of the generic REST target. `url` and `body` are Liquid templates; paths are dot paths
 * into the JSON answer (`result.0.id`; empty = the answer itself).
 */
export interface RestOperation {
  method: HttpMethod;
  url: string;
  headers: Record<string, HeaderValue>;
  /** Must render to JSON; absent = no body. */
  body?: string;
  successStatuses: number[];
  idPath?: string;
  numberPath?: string;
  createdPath?: string;
  statePath?: string;
  /** A value `true` / "true" there means the ticket is closed. */
  closedPath?: string;
  urlPath?: string;
}

export interface RestFindOperation extends RestOperation {
  /** Where the list of matching tickets sits in the answer. */
  resultsPath: string;
}

export interface RestTargetOptions {
  /** Sent on every call; an operation's own headers win. */
  headers: Record<string, HeaderValue>;
  requestTimeoutMs?: number;
  create: RestOperation;
  find: RestFindOperation;
  update: RestOperation;
  resolve?: RestOperation;
  cancelDuplicate?: RestOperation;
}

export const DEFAULT_SUCCESS_STATUSES = [200, 201, 202, 204];

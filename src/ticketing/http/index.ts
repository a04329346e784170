/**
 * The HTTP layer every ticketing target shares: pooling, timeouts, cancellation, the User-Agent, JSON,
 * network-error and generic status classification. A target adds only its auth, paths, field mapping
 * and its own status quirks.
 */
export { headerValue, parseJson, parseOptionalJson, type HttpAnswer } from './answer';
export { TargetHttp, type CallStats, type HttpCall, type HttpMethod } from './client';
export { classifyNetworkError, untilAborted } from './network-error';
export { DEFAULT_RATE_LIMIT_RETRY_MS, retryAfterMs } from './retry-after';
export { bodySnippet, classifyStatus } from './status';

/** Shorter than the activity's 30 s attempt, so a slow target fails the attempt with a reason. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
/** The highest request timeout that still leaves the 30 s attempt time to report. */
export const MAX_REQUEST_TIMEOUT_MS = 29_000;

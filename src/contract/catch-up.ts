/** The worker's catch-up Schedule: a sweep of the events Hasura gave up on (README "Catch-up"). */

/** Fixed, so every worker start updates the one Schedule instead of adding another. */
export const CATCH_UP_SCHEDULE_ID = 'incident-bridge-catch-up';

export interface CatchUpInput {
  /** Triggers swept: those BRIDGE_CONFIG names (the worker's config when the Schedule was last written). */
  triggers: string[];
}

/** What one sweep did; `wouldStart` only in a dry run (nothing is started then). */
export interface CatchUpCounts {
  /**
   * Given-up events read this sweep: those not yet caught up (incident_bridge.caught_up_events), within
   * `since` / `limit`. An event catch-up delivered before is not read again, so not counted.
   */
  found: number;
  started: number;
  /**
   * The event's workflow exists (the webhook got it after all, or a sweep stopped before marking it, or
   * its mark was deleted): nothing started.
   */
  alreadyKnown: number;
  /** Not startable: the config ignores the op, the row has no key, or the body is not a Hasura event. */
  skipped: number;
  wouldStart: number;
  /** Why events were skipped (the first 20). */
  skips: { id: string; reason: string }[];
}

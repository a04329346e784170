/** The reconciler's query (issue 14): the bridge's tickets in a stable order, one page at a time. */

export interface UpdatedSinceQuery {
  /** `YYYY-MM-DD HH:MM:SS`, UTC: sys_updated_on's format. */
  since: string;
  /** The keyset of the last record read: the page starts right after it (`since` is then not used). */
  after?: SweepPosition;
  correlationPrefix: string;
  limit: number;
  fields: string[];
}

/** A place in the order (sys_updated_on, sys_id), which no update of another record can shift. */
export interface SweepPosition {
  updatedOn: string;
  sysId: string;
}

const SWEEP_ORDER = 'ORDERBYsys_updated_on^ORDERBYsys_id';

/**
 * `^OR` binds only the two conditions beside it, so "later second, or same second and later sys_id" is
 * two queries joined by `^NQ`, each repeating the prefix condition.
 */
export function sweepQuery({ since, after, correlationPrefix }: UpdatedSinceQuery): string {
  const ours = `correlation_idSTARTSWITH${correlationPrefix}`;
  if (!after) return `${ours}^sys_updated_on>=${since}^${SWEEP_ORDER}`;
  const later = `${ours}^sys_updated_on>${after.updatedOn}`;
  return `${later}^NQ${ours}^sys_updated_on=${after.updatedOn}^sys_id>${after.sysId}^${SWEEP_ORDER}`;
}

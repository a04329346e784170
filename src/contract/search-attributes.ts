import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes: the columns and filters operators use in the Web UI and in
 * `temporal workflow list --query`. The dev server registers them at start; a real cluster needs
 * `temporal operator search-attribute create` once (see README "Operating it").
 */
export const HasuraTrigger = defineSearchAttributeKey('HasuraTrigger', SearchAttributeType.KEYWORD);
export const HasuraTable = defineSearchAttributeKey('HasuraTable', SearchAttributeType.KEYWORD);
export const HasuraEventId = defineSearchAttributeKey('HasuraEventId', SearchAttributeType.KEYWORD);
export const HasuraOp = defineSearchAttributeKey('HasuraOp', SearchAttributeType.KEYWORD);
export const TicketStatus = defineSearchAttributeKey('TicketStatus', SearchAttributeType.KEYWORD);
export const TicketTarget = defineSearchAttributeKey('TicketTarget', SearchAttributeType.KEYWORD);
export const IncidentNumber = defineSearchAttributeKey('IncidentNumber', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [
  HasuraTrigger,
  HasuraTable,
  HasuraEventId,
  HasuraOp,
  TicketStatus,
  TicketTarget,
  IncidentNumber,
];

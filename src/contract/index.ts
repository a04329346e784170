/**
 * The contract between the webhook, workflows and activities: pure (fenced like workflow code),
 * imported by all of them, importing none of them. Search-attribute keys live in
 * ./search-attributes (imported from there: the key `HasuraOp` is not the type `HasuraOp`).
 */
export * from './activities';
export * from './catch-up';
export * from './event-policy';
export * from './events';
export * from './failures';
export * from './ids';
export * from './messages';
export * from './workflows';
export * from './servicenow-changes';
export * from './event-age';

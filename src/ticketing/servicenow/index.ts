export { createServiceNowTarget, type ServiceNowRecords } from './client';
export type { SweepPosition, UpdatedSinceQuery } from './sweep-query';
export { stringField, type TableRecord } from './records';
export { classifyResponse } from './classify';
export type { ServiceNowAuth, ServiceNowOptions } from './options';

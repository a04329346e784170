export { createServiceNowTarget, type ServiceNowRecords } from './client';
export type { SweepPage, SweepPosition, UpdatedSinceQuery } from './sweep-query';
export { stringField, type TableRecord } from './records';
export { classifyResponse } from './classify';
export type { ServiceNowAuth, ServiceNowOptions } from './options';

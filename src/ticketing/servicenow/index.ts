export { createServiceNowTarget, type ServiceNowRecords, type UpdatedSinceQuery } from './client';
export { stringField, type TableRecord } from './records';
export { classifyResponse } from './classify';
export type { ServiceNowAuth, ServiceNowOptions } from './options';

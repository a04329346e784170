export { createServiceNowTarget } from './client';
export { classifyResponse } from './classify';
export type { ServiceNowAuth, ServiceNowOptions } from './options';

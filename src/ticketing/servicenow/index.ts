export { createServiceNowTarget, type ServiceNowTarget } from './client';
export { classifyResponse, classifyNetworkError } from './classify';
export type { ServiceNowAuth, ServiceNowOptions } from './options';

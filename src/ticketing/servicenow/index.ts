export { createServiceNowTarget, type ServiceNowTarget } from './client';
export { serviceNowOptionsFromEnv } from './env';
export { classifyResponse } from './classify';
export type { ServiceNowAuth, ServiceNowOptions } from './options';

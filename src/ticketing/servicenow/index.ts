export { createServiceNowTarget } from './client';
export { serviceNowOptionsFromEnv } from './env';
export { classifyResponse } from './classify';
export type { ServiceNowAuth, ServiceNowOptions } from './options';

export { createRestTarget } from './client';
export type { RestFindOperation, RestOperation, RestTargetOptions } from './options';

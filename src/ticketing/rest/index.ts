export { createRestTarget, type RestTarget } from './client';
export type { RestFindOperation, RestOperation, RestTargetOptions } from './options';

export { createJiraTarget } from './client';
export { correlationLabel } from './fields';
export { adfToText, textToAdf } from './adf';
export type { JiraOptions } from './options';

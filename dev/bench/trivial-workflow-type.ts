/** The ceiling workflow's type name, shared by its starter and its worker without importing workflow code. */
export const TRIVIAL_WORKFLOW_TYPE = 'trivialIncidentWorkflow';

export interface TrivialIncidentInput {
  correlationId: string;
}

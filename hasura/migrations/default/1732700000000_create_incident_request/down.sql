DROP TABLE public.incident_request;
DROP FUNCTION public.set_incident_request_updated_at();

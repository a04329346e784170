CREATE OR REPLACE FUNCTION public.set_incident_request_updated_at() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

ALTER TABLE public.incident_request
  DROP COLUMN ticket_number,
  DROP COLUMN ticket_sys_id,
  DROP COLUMN ticket_url,
  DROP COLUMN ticket_state,
  DROP COLUMN ticket_synced_at,
  DROP COLUMN ticket_error;

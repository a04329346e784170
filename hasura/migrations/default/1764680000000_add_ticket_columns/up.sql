-- The ticket, written back by the bridge (README "Write-back"): only the incident_bridge role may set these,
-- and the event trigger does not listen to them, so writing them records no event.
ALTER TABLE public.incident_request
  ADD COLUMN ticket_number text,
  ADD COLUMN ticket_sys_id text,
  ADD COLUMN ticket_url text,
  ADD COLUMN ticket_state text,
  ADD COLUMN ticket_synced_at timestamptz,
  ADD COLUMN ticket_error text;

-- A write-back is not a change of the request: updated_at keeps the last change of the other columns,
-- so an UPDATE event (were one recorded) would show only ticket columns changed (the webhook's loop guard).
CREATE OR REPLACE FUNCTION public.set_incident_request_updated_at() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  ticket_columns text[] := ARRAY['ticket_number', 'ticket_sys_id', 'ticket_url', 'ticket_state',
                                 'ticket_synced_at', 'ticket_error'];
BEGIN
  IF (to_jsonb(NEW) - ticket_columns) IS DISTINCT FROM (to_jsonb(OLD) - ticket_columns) THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END;
$$;

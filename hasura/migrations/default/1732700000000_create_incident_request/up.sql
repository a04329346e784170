-- gen_random_uuid() is built into Postgres 13+; no pgcrypto needed on postgres:16.
CREATE TABLE public.incident_request (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title text NOT NULL,
  description text,
  priority text CHECK (priority IN ('low', 'medium', 'high', 'critical')),
  status text DEFAULT 'open',
  reporter_email text,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz
);

-- Writers (console, GraphQL, plain SQL) should not each have to remember updated_at.
CREATE FUNCTION public.set_incident_request_updated_at() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

CREATE TRIGGER set_incident_request_updated_at
  BEFORE UPDATE ON public.incident_request
  FOR EACH ROW EXECUTE FUNCTION public.set_incident_request_updated_at();

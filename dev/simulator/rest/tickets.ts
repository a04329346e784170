import express, { type Request, type Response, type Router } from 'express';
import type { Secret } from '../../../src/common/secret';

export interface SimTicket {
  id: string;
  number: string;
  status: 'open' | 'closed';
  closed: boolean;
  title: string;
  description: string;
  priority?: string;
  correlation_id: string;
  resolution?: string;
  notes: string[];
  created_at: string;
}

export function sendRestError(res: Response, status: number, message: string): void {
  res.status(status).json({ error: message });
}

const TITLE_MAX_LENGTH = 200;

function bodyProblem(body: Record<string, unknown>, options: { creating: boolean }): string | undefined {
  const { title, correlation_id: correlationId, status } = body;
  if (options.creating && (typeof title !== 'string' || !title.trim())) return 'title is required';
  if (title !== undefined && (typeof title !== 'string' || title.length > TITLE_MAX_LENGTH)) {
    return `title must be a string of at most ${TITLE_MAX_LENGTH} characters`;
  }
  if (options.creating && (typeof correlationId !== 'string' || !correlationId)) return 'correlation_id is required';
  if (status !== undefined && status !== 'open' && status !== 'closed') return 'status must be open or closed';
  return undefined;
}

/** Checks the writable fields of a body; answers 422 and returns false when one is wrong. */
function validBody(body: Record<string, unknown>, res: Response, options: { creating: boolean }): boolean {
  const problem = bodyProblem(body, options);
  if (problem) sendRestError(res, 422, problem);
  return !problem;
}

export class TicketStore {
  readonly tickets: SimTicket[] = [];
  #next = 1;
  #lastCreatedMs = 0;

  create(body: Record<string, unknown>): SimTicket {
    this.#lastCreatedMs = Math.max(Date.now(), this.#lastCreatedMs + 1);
    const n = this.#next++;
    const ticket: SimTicket = {
      id: `tkt_${n}`,
      number: `T-${n}`,
      status: 'open',
      closed: false,
      title: String(body.title),
      description: typeof body.description === 'string' ? body.description : '',
      priority: typeof body.priority === 'string' ? body.priority : undefined,
      correlation_id: String(body.correlation_id),
      notes: [],
      created_at: new Date(this.#lastCreatedMs).toISOString(),
    };
    this.tickets.push(ticket);
    return ticket;
  }
}

/** A small ticket API in the style of many in-house tools: bearer auth, 422 for bad data, 409 for closed tickets. */
export function ticketRoutes(deps: { store: TicketStore; token: Secret }): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }), (req, res, next) => {
    const [scheme, token] = (req.headers.authorization ?? '').split(' ', 2);
    if (scheme === 'Bearer' && token && deps.token.equals(token)) return next();
    sendRestError(res, 401, 'unauthorized');
  });
  const find = (req: Request, res: Response): SimTicket | undefined => {
    const ticket = deps.store.tickets.find((candidate) => candidate.id === req.params.id);
    if (!ticket) sendRestError(res, 404, `no ticket ${req.params.id}`);
    return ticket;
  };
  router.post('/tickets', (req, res) => {
    if (validBody(req.body ?? {}, res, { creating: true }))
      res.status(201).json({ ticket: deps.store.create(req.body) });
  });
  router.get('/tickets', (req, res) => {
    const wanted = String(req.query.correlation_id ?? '');
    res.json({ items: deps.store.tickets.filter((ticket) => ticket.correlation_id === wanted) });
  });
  router.patch('/tickets/:id', (req, res) => {
    const ticket = find(req, res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!ticket || !validBody(body, res, { creating: false })) return;
    if (ticket.closed && body.status !== 'open')
      return sendRestError(res, 409, `${ticket.number} is closed; reopen it first`);
    if (typeof body.title === 'string') ticket.title = body.title;
    if (typeof body.description === 'string') ticket.description = body.description;
    if (typeof body.note === 'string' && body.note) ticket.notes.push(body.note);
    if (typeof body.resolution === 'string') ticket.resolution = body.resolution;
    if (body.status === 'open' || body.status === 'closed') {
      Object.assign(ticket, { status: body.status, closed: body.status === 'closed' });
    }
    res.json({ ticket });
  });
  router.use((_req, res) => sendRestError(res, 404, 'no such resource'));
  return router;
}

import type { NextFunction, Request, Response } from 'express';

import { Secret } from '../../../src/common/secret';
import { userSysId } from './directory';
import { OAUTH_ACCESS_DENIED, sendJson, sendUnauthenticated } from './responses';
import { tableCallOf } from './table-call';
import type { TokenResponse, TokenStore } from './tokens';

/** Who may call: Basic/password-grant users, OAuth clients, API keys (all compared in constant time). */
export interface Credentials {
  users: { username: string; password: Secret }[];
  oauthClients: { clientId: string; clientSecret: Secret }[];
  apiKeys: Secret[];
  /** The user API keys and client-credential tokens act as (an instance maps them to a user too). */
  integrationUser: string;
}

export interface AuthDeps {
  credentials: Credentials;
  tokens: TokenStore;
}

function passwordUser(credentials: Credentials, username: string, password: string): string | undefined {
  return credentials.users.find((user) => user.username === username && user.password.equals(password))?.username;
}

function basicUser(credentials: Credentials, encoded: string): string | undefined {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : passwordUser(credentials, decoded.slice(0, colon), decoded.slice(colon + 1));
}

function callingUsername(deps: AuthDeps, req: Request): string | undefined {
  const [scheme, value] = (req.headers.authorization ?? '').split(' ', 2);
  if (scheme?.toLowerCase() === 'basic' && value) return basicUser(deps.credentials, value);
  if (scheme?.toLowerCase() === 'bearer' && value) return deps.tokens.userOf(value);
  const apiKey = req.headers['x-sn-apikey'];
  if (typeof apiKey === 'string' && deps.credentials.apiKeys.some((key) => key.equals(apiKey))) {
    return deps.credentials.integrationUser;
  }
  return undefined;
}

/** Table API authentication: Basic, Bearer (live tokens only) or x-sn-apikey; anything else is the sample 401. */
export function authenticate(deps: AuthDeps) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const username = callingUsername(deps, req);
    if (!username) return sendUnauthenticated(res);
    tableCallOf(res).user = { username, sysId: userSysId(username) };
    next();
  };
}

function grantFor(deps: AuthDeps, form: Record<string, string | undefined>): TokenResponse | undefined {
  const client = deps.credentials.oauthClients.find(
    (c) => c.clientId === form.client_id && c.clientSecret.equals(form.client_secret ?? ''),
  );
  if (!client) return undefined;
  const subject = (username: string) => ({ username, clientId: client.clientId });
  switch (form.grant_type) {
    case 'password': {
      const username = passwordUser(deps.credentials, form.username ?? '', form.password ?? '');
      return username ? deps.tokens.issue(subject(username), { withRefresh: true }) : undefined;
    }
    case 'refresh_token':
      return deps.tokens.refresh(client.clientId, form.refresh_token ?? '');
    case 'client_credentials':
      return deps.tokens.issue(subject(deps.credentials.integrationUser), { withRefresh: false });
    default:
      return undefined;
  }
}

/** POST /oauth_token.do: form-urlencoded only (a JSON body fails, as on a real instance). */
export function tokenEndpoint(deps: AuthDeps) {
  return (req: Request, res: Response): void => {
    const isForm = Boolean(req.is('application/x-www-form-urlencoded'));
    const form = isForm && typeof req.body === 'object' ? (req.body as Record<string, string | undefined>) : {};
    const granted = grantFor(deps, form);
    sendJson(res, granted ? 200 : 401, granted ?? OAUTH_ACCESS_DENIED);
  };
}

import { TicketAuthError, TicketUnavailableError, TicketValidationError } from '../errors';
import { untilAborted, type TargetHttp } from '../http';
import { classifyResponse, SERVICENOW } from './classify';
import type { ServiceNowAuth, ServiceNowOAuth } from './options';

export type AuthHeaders = Record<string, string>;

export interface AuthProvider {
  /** Credentials for one call; for OAuth this may fetch or refresh the token first. */
  headers(signal?: AbortSignal): Promise<AuthHeaders>;
  /** After a 401 sent with `rejected`: renews the credentials; true when one retry is worth it. */
  renewAfterRejection(rejected: AuthHeaders, signal?: AbortSignal): Promise<boolean>;
}

/** Refresh this long before expiry (at most half the token's lifetime), so no call carries a dying token. */
const REFRESH_MARGIN_MS = 60_000;
/** ServiceNow's default access-token lifetime, for an answer without expires_in. */
const DEFAULT_TOKEN_LIFETIME_S = 1800;

export function createAuthProvider(auth: ServiceNowAuth, http: TargetHttp, now: () => number): AuthProvider {
  switch (auth.type) {
    case 'basic': {
      const encoded = Buffer.from(`${auth.username}:${auth.password.reveal()}`).toString('base64');
      return staticCredentials({ authorization: `Basic ${encoded}` });
    }
    case 'api-key':
      return staticCredentials({ 'x-sn-apikey': auth.apiKey.reveal() });
    case 'oauth':
      return new OAuthTokens(auth, http, now);
  }
}

/** Basic and API-key credentials cannot be renewed: a 401 is final. */
function staticCredentials(headers: AuthHeaders): AuthProvider {
  return {
    headers: async () => headers,
    renewAfterRejection: async () => false,
  };
}

interface Token {
  accessToken: string;
  refreshToken?: string;
  expiresAt: number;
  lifetimeMs: number;
}

interface TokenResponse {
  access_token?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
}

/** Caches one token; concurrent callers share a single in-flight token request. */
class OAuthTokens implements AuthProvider {
  #token?: Token;
  #inFlight?: Promise<Token>;

  constructor(
    private readonly auth: ServiceNowOAuth,
    private readonly http: TargetHttp,
    private readonly now: () => number,
  ) {
    if (auth.grant === 'password' && (!auth.username || !auth.password)) {
      throw new Error('ServiceNow OAuth password grant needs a username and a password');
    }
  }

  async headers(signal?: AbortSignal): Promise<AuthHeaders> {
    const cached = this.#token && !this.#isStale(this.#token) ? this.#token : undefined;
    const token = cached ?? (await untilAborted(this.#renew(), signal, SERVICENOW));
    return { authorization: `Bearer ${token.accessToken}` };
  }

  async renewAfterRejection(rejected: AuthHeaders, signal?: AbortSignal): Promise<boolean> {
    const alreadyRenewed = this.#token && rejected.authorization !== `Bearer ${this.#token.accessToken}`;
    if (!alreadyRenewed) await untilAborted(this.#renew(), signal, SERVICENOW);
    return true;
  }

  #isStale(token: Token): boolean {
    const margin = Math.min(REFRESH_MARGIN_MS, token.lifetimeMs / 2);
    return this.now() >= token.expiresAt - margin;
  }

  #renew(): Promise<Token> {
    this.#inFlight ??= this.#fetchToken().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #fetchToken(): Promise<Token> {
    const refreshToken = this.#token?.refreshToken;
    this.#token = undefined;
    if (refreshToken) {
      try {
        const refreshed = await this.#grant({ grant_type: 'refresh_token', refresh_token: refreshToken });
        return this.#store(refreshed, refreshToken);
      } catch (error) {
        // An expired or revoked refresh token: start over with the configured grant.
        if (!(error instanceof TicketAuthError)) throw error;
      }
    }
    return this.#store(await this.#grant(this.#initialGrant()));
  }

  #initialGrant(): Record<string, string> {
    const { grant, username, password, scope } = this.auth;
    const params: Record<string, string> = { grant_type: grant };
    if (grant === 'password') Object.assign(params, { username: username ?? '', password: password?.reveal() ?? '' });
    if (scope) params.scope = scope;
    return params;
  }

  #store(response: TokenResponse, previousRefreshToken?: string): Token {
    if (typeof response.access_token !== 'string' || !response.access_token) {
      throw new TicketUnavailableError('ServiceNow OAuth answer carried no access_token');
    }
    const lifetimeMs = Math.max(1, Number(response.expires_in) || DEFAULT_TOKEN_LIFETIME_S) * 1000;
    const refreshToken = typeof response.refresh_token === 'string' ? response.refresh_token : previousRefreshToken;
    this.#token = { accessToken: response.access_token, refreshToken, expiresAt: this.now() + lifetimeMs, lifetimeMs };
    return this.#token;
  }

  /** oauth_token.do only accepts form-urlencoded bodies (JSON gives an "unspecified error"). */
  async #grant(params: Record<string, string>): Promise<TokenResponse> {
    const form = new URLSearchParams({
      ...params,
      client_id: this.auth.clientId,
      client_secret: this.auth.clientSecret.reveal(),
    });
    const response = await this.http.send({
      operation: 'oauthToken',
      method: 'POST',
      url: '/oauth_token.do',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    const error = classifyResponse(response);
    if (error instanceof TicketValidationError || error instanceof TicketAuthError) {
      const message = `ServiceNow refused the OAuth ${params.grant_type} grant: ${error.message}`;
      throw new TicketAuthError(message, { status: error.status, detail: error.detail });
    }
    if (error) throw error;
    try {
      return JSON.parse(response.bodyText) as TokenResponse;
    } catch {
      throw new TicketUnavailableError('ServiceNow OAuth answer was not JSON', { status: response.status });
    }
  }
}

import { randomChars, type Rng } from './rng';

/** The body /oauth_token.do answers with (reference §5), key order as on a real instance. */
export interface TokenResponse {
  scope: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  access_token: string;
}

interface Grant {
  username: string;
  clientId: string;
  accessToken: string;
  accessExpiresAt: number;
  refreshToken?: string;
  refreshExpiresAt: number;
}

const REFRESH_TTL_SEC = 8_640_000;
const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const TOKEN_LENGTH = 86;

/** Issued OAuth grants; a password grant asked again before expiry returns the same tokens, as ServiceNow does. */
export class TokenStore {
  private grants: Grant[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly now: () => number,
    private readonly ttlSec: number,
  ) {}

  issue(subject: { username: string; clientId: string }, options: { withRefresh: boolean }): TokenResponse {
    const live = this.grants.find(
      (g) => g.username === subject.username && g.clientId === subject.clientId && g.accessExpiresAt > this.now(),
    );
    if (live && Boolean(live.refreshToken) === options.withRefresh) return this.responseFor(live, options);
    const grant: Grant = {
      ...subject,
      accessToken: this.newToken(),
      accessExpiresAt: this.now() + this.ttlSec * 1000,
      refreshToken: options.withRefresh ? this.newToken() : undefined,
      refreshExpiresAt: this.now() + REFRESH_TTL_SEC * 1000,
    };
    this.grants.push(grant);
    return this.responseFor(grant, options);
  }

  /** A new access token for a live refresh token of this client; undefined when it is unknown or expired. */
  refresh(clientId: string, refreshToken: string): TokenResponse | undefined {
    const grant = this.grants.find((g) => g.refreshToken === refreshToken && g.clientId === clientId);
    if (!grant || grant.refreshExpiresAt <= this.now()) return undefined;
    grant.accessToken = this.newToken();
    grant.accessExpiresAt = this.now() + this.ttlSec * 1000;
    return this.responseFor(grant, { withRefresh: false });
  }

  /** The user a live access token acts for. */
  userOf(accessToken: string): string | undefined {
    return this.grants.find((g) => g.accessToken === accessToken && g.accessExpiresAt > this.now())?.username;
  }

  /** Expires every access token now; refresh tokens stay valid so clients can test their refresh path. */
  expireAccessTokens(): void {
    for (const grant of this.grants) grant.accessExpiresAt = 0;
  }

  clear(): void {
    this.grants = [];
  }

  private responseFor(grant: Grant, options: { withRefresh: boolean }): TokenResponse {
    const expiresIn = Math.max(0, Math.ceil((grant.accessExpiresAt - this.now()) / 1000));
    const refresh = options.withRefresh && grant.refreshToken ? { refresh_token: grant.refreshToken } : {};
    return {
      scope: 'useraccount',
      token_type: 'Bearer',
      expires_in: expiresIn,
      ...refresh,
      access_token: grant.accessToken,
    };
  }

  private newToken(): string {
    return randomChars(this.rng, TOKEN_ALPHABET, TOKEN_LENGTH);
  }
}

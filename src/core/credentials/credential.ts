/** Where a credential came from, in the resolver's order of precedence. */
export type CredentialSource = 'explicit' | 'env' | 'setting' | 'active' | 'legacy' | 'oauth';

export const SOURCE_ORDER: readonly CredentialSource[] = ['explicit', 'env', 'setting', 'active', 'legacy', 'oauth'];

export interface ApiKeyCredential {
  kind: 'apiKey';
  source: Exclude<CredentialSource, 'oauth'>;
  secret: string;
  /** The fleet the key belongs to when known (stored keys always know it; env and explicit keys learn it from the server). */
  fleetId?: string;
}

export interface OAuthCredential {
  kind: 'oauth';
  source: 'oauth';
  secret: string;
  account: string;
}

export type Credential = ApiKeyCredential | OAuthCredential;

/** Short label for the status bar, e.g. "API key (env)". */
export function sourceLabel(source: CredentialSource): string {
  switch (source) {
    case 'oauth':
      return 'OAuth';
    case 'explicit':
      return 'API key (explicit)';
    case 'env':
      return 'API key (env)';
    case 'setting':
      return 'API key (cmdop.fleet)';
    case 'active':
      return 'API key (stored)';
    case 'legacy':
      return 'API key (imported)';
  }
}

/** Full phrase naming the source, used at the start of error messages. */
export function describeSource(source: CredentialSource): string {
  switch (source) {
    case 'oauth':
      return 'OAuth session';
    case 'explicit':
      return 'API key passed to the command';
    case 'env':
      return 'API key from CMDOP_API_KEY';
    case 'setting':
      return 'Stored API key of the fleet named in the cmdop.fleet setting';
    case 'active':
      return "Active fleet's stored API key";
    case 'legacy':
      return 'API key imported from ssh_workspaces.json';
  }
}

export const API_KEY_PREFIX = 'cmdop_';

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(API_KEY_PREFIX) && value.length > API_KEY_PREFIX.length + 8 && !/\s/.test(value);
}

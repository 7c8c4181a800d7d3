import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { InteractionDetails } from 'oidc-provider';
import type { FleetDirectory } from '../fleet/fleetDirectory';
import { readFormBody } from './formBody';
import { escapeHtml, renderPage } from './pageLayout';

const INTERACTION_PATH = /^\/interaction\/([\w-]+)(\/login)?\/?$/;

export function interactionUrl(uid: string): string {
  return `/interaction/${uid}`;
}

/**
 * Our own login and consent steps (devInteractions is off). Returns false
 * when the request is not an interaction route, so the provider handles it.
 */
export async function handleInteraction(
  provider: Provider,
  directory: FleetDirectory,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const match = INTERACTION_PATH.exec(new URL(req.url ?? '/', 'http://local').pathname);
  if (!match) return false;
  const [, uid, loginSuffix] = match;
  let details: InteractionDetails;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    sendHtml(
      res,
      400,
      renderPage(
        'Sign-in expired',
        '<p id="error" class="error">This sign-in step has expired or was already used. Start again from VS Code.</p>',
      ),
    );
    return true;
  }
  if (details.uid !== uid) {
    sendHtml(
      res,
      400,
      renderPage(
        'Sign-in mismatch',
        '<p id="error" class="error">This page does not belong to the current sign-in. Start again from VS Code.</p>',
      ),
    );
    return true;
  }

  if (req.method === 'POST' && loginSuffix) {
    const form = await readFormBody(req);
    if (form.has('cancel')) {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'End-User cancelled the sign-in' },
        { mergeWithLastSubmission: false },
      );
      return true;
    }
    const email = (form.get('email') ?? '').trim();
    const user = directory.verifyPassword(email, form.get('password') ?? '');
    if (!user) {
      sendHtml(res, 200, loginPage(uid, email, 'Wrong email or password.'));
      return true;
    }
    await provider.interactionFinished(req, res, { login: { accountId: user.email.toLowerCase() } }, { mergeWithLastSubmission: false });
    return true;
  }

  if (req.method === 'GET' && !loginSuffix) {
    if (details.prompt.name === 'login') {
      sendHtml(res, 200, loginPage(uid, '', undefined));
      return true;
    }
    if (details.prompt.name === 'consent') {
      // The user already confirmed the device code on the previous page; that is the consent.
      const grantId = await grantRequested(provider, details);
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return true;
    }
  }
  sendHtml(res, 405, renderPage('Not allowed', '<p id="error" class="error">Unsupported sign-in step.</p>'));
  return true;
}

async function grantRequested(provider: Provider, details: InteractionDetails): Promise<string> {
  const accountId = details.session?.accountId;
  const clientId = String(details.params.client_id);
  if (!accountId) throw new Error('consent without a signed-in account');
  const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId });
  const missing = details.prompt.details;
  if (Array.isArray(missing.missingOIDCScope)) grant.addOIDCScope((missing.missingOIDCScope as string[]).join(' '));
  if (Array.isArray(missing.missingOIDCClaims)) grant.addOIDCClaims(missing.missingOIDCClaims as string[]);
  const resourceScopes = missing.missingResourceScopes as Record<string, string[]> | undefined;
  for (const [indicator, scopes] of Object.entries(resourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  return grant.save();
}

function loginPage(uid: string, email: string, error: string | undefined): string {
  return renderPage(
    'Sign in to CMDOP',
    `${error ? `<p id="error" class="error">${escapeHtml(error)}</p>` : '<p id="message">Sign in to connect your device.</p>'}
<form id="login-form" method="post" action="${interactionUrl(uid)}/login" autocomplete="off">
<label for="email">Email</label>
<input type="email" id="email" name="email" value="${escapeHtml(email)}" required autofocus>
<label for="password">Password</label>
<input type="password" id="password" name="password" required>
<button type="submit" id="sign-in">Sign in</button>
<button type="submit" id="cancel" name="cancel" value="yes" formnovalidate>Cancel</button>
</form>`,
  );
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

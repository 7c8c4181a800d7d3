import type { KoaContextLike } from 'oidc-provider';
import { escapeHtml, renderPage } from './pageLayout';

/*
 * The provider renders the device pages through these hooks and hands us its
 * own <form> (with the CSRF field); we add visible inputs and submit buttons
 * inside that form, so each page is a single plain HTML form.
 */

function insertIntoForm(form: string, extra: string): string {
  return form.replace(/<\/form>\s*$/, `${extra}\n</form>`);
}

export async function userCodeInputSource(
  ctx: KoaContextLike,
  form: string,
  _out: unknown,
  err?: Error & { userCode?: string },
): Promise<void> {
  let message = '<p id="message">Enter the code shown in VS Code.</p>';
  if (err && (err.userCode || err.name === 'NoCodeError')) {
    message = '<p id="error" class="error">That code is not valid or has expired. Check it and try again.</p>';
  } else if (err && err.name === 'AbortedError') {
    message = '<p id="error" class="error">The sign-in request was cancelled.</p>';
  } else if (err) {
    message = '<p id="error" class="error">Something went wrong processing the request.</p>';
  }
  // The provider's own field already is name="user_code"; give it a label and an id.
  const withId = form.replace('name="user_code"', 'id="user_code" name="user_code"');
  ctx.body = renderPage(
    'Connect a device',
    `${message}\n<label for="user_code">Code</label>\n${insertIntoForm(withId, '<button type="submit" id="submit-code">Continue</button>')}`,
  );
}

export async function userCodeConfirmSource(
  ctx: KoaContextLike,
  form: string,
  client: { clientId: string; clientName?: string },
  _deviceInfo: unknown,
  userCode: string,
): Promise<void> {
  const clientName = escapeHtml(client.clientName ?? client.clientId);
  ctx.body = renderPage(
    'Confirm device',
    `<p><strong id="client-name">${clientName}</strong> is asking to sign in.</p>
<p>Make sure this code matches the one shown on your device:</p>
<p><code id="confirm-code">${escapeHtml(userCode)}</code></p>
${insertIntoForm(
  form,
  '<button type="submit" id="confirm">Continue</button>\n<button type="submit" id="abort" name="abort" value="yes">Cancel</button>',
)}`,
  );
}

export async function successSource(ctx: KoaContextLike): Promise<void> {
  ctx.body = renderPage('Device connected', '<p id="success">Sign-in complete. You can close this page and return to VS Code.</p>');
}

import { CookieJar } from './cookieJar';
import { parseForm, type ParsedForm } from './htmlForms';

export interface ApproveDeviceCodeOptions {
  issuer: string;
  userCode: string;
  email: string;
  password: string;
  /** Press "Cancel" on the confirmation page instead of approving. */
  deny?: boolean;
  /** fetch to use, e.g. one that trusts a `--tls` fleet server's CA (default: the global fetch). */
  fetchImpl?: typeof fetch;
}

export interface ApproveDeviceCodeResult {
  /** The last page shown, for assertions on its text. */
  finalPage: string;
}

interface Page {
  url: URL;
  status: number;
  html: string;
}

/**
 * Approves (or denies) a device code the way a person would: it loads the
 * provider's /device page, submits the code, confirms, signs in on the login
 * form, and follows every redirect with a cookie jar. No endpoint is bypassed.
 */
export async function approveDeviceCode(options: ApproveDeviceCodeOptions): Promise<ApproveDeviceCodeResult> {
  const browser = new FormBrowser(options.fetchImpl ?? fetch);
  const start = await browser.get(new URL('/device', options.issuer));
  const codePage = await browser.submit(start, requireForm(start, 'op.deviceInputForm'), { user_code: options.userCode });

  const confirmForm = parseForm(codePage.html, 'op.deviceConfirmForm');
  if (!confirmForm) throw new Error(`device code ${options.userCode} was not accepted: ${visibleText(codePage.html)}`);
  if (options.deny) {
    const denied = await browser.submit(codePage, confirmForm, {}, 'abort');
    return { finalPage: denied.html };
  }
  const loginPage = await browser.submit(codePage, confirmForm, {});

  const loginForm = parseForm(loginPage.html, 'login-form');
  if (!loginForm) throw new Error(`expected the login form after confirming, got: ${visibleText(loginPage.html)}`);
  const afterLogin = await browser.submit(loginPage, loginForm, { email: options.email, password: options.password });
  if (parseForm(afterLogin.html, 'login-form')) throw new Error(`sign-in refused for ${options.email}: ${visibleText(afterLogin.html)}`);
  if (!/id="success"/.test(afterLogin.html)) throw new Error(`device approval did not complete: ${visibleText(afterLogin.html)}`);
  return { finalPage: afterLogin.html };
}

function requireForm(page: Page, id: string): ParsedForm {
  const form = parseForm(page.html, id);
  if (!form) throw new Error(`no form #${id} on ${page.url.pathname}: ${visibleText(page.html)}`);
  return form;
}

function visibleText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

class FormBrowser {
  private readonly jar = new CookieJar();

  constructor(private readonly fetchImpl: typeof fetch) {}

  get(url: URL): Promise<Page> {
    return this.follow(url, { method: 'GET' });
  }

  /** Submits a form with overrides; `button` names a named submit button to "press". */
  submit(page: Page, form: ParsedForm, values: Record<string, string>, button?: string): Promise<Page> {
    const body = new URLSearchParams();
    for (const [name, value] of form.fields) body.append(name, Object.hasOwn(values, name) ? values[name] : value);
    for (const [name, value] of Object.entries(values)) if (!form.fields.some(([n]) => n === name)) body.append(name, value);
    if (button) {
      if (!form.buttons.has(button)) throw new Error(`form has no "${button}" button`);
      body.append(button, form.buttons.get(button) ?? '');
    }
    const target = new URL(form.action || page.url.href, page.url);
    return this.follow(target, { method: form.method, body: body.toString(), contentType: 'application/x-www-form-urlencoded' });
  }

  private async follow(url: URL, request: { method: string; body?: string; contentType?: string }): Promise<Page> {
    let current = url;
    let init = request;
    for (let hop = 0; hop < 20; hop++) {
      const headers: Record<string, string> = {};
      const cookie = this.jar.headerFor(current);
      if (cookie) headers.cookie = cookie;
      if (init.contentType) headers['content-type'] = init.contentType;
      const response = await this.fetchImpl(current, { method: init.method, headers, body: init.body, redirect: 'manual' });
      this.jar.store(response.headers.getSetCookie());
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        current = new URL(location, current);
        init = { method: 'GET' };
        continue;
      }
      return { url: current, status: response.status, html: await response.text() };
    }
    throw new Error(`too many redirects starting at ${url.href}`);
  }
}

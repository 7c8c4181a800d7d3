// Signing in as a person would: CMDOP: Sign In in the command palette, read the user code from the
// notification, approve it on the identity provider's pages in a second browser page.
import type { Page } from 'playwright-core';
import type { Session } from '../harness';
import { closeCenter, waitForNotice } from './notices';

const CODE = /CMDOP sign-in code: ([A-Z0-9-]+)/;

export async function startSignIn(session: Session): Promise<string> {
  const { wb } = session;
  await wb.runCommand('CMDOP: Sign In');
  // VS Code asks once whether the extension may sign in with its own provider.
  const consent = await wb.dialogs.waitOpen(10_000).catch(() => undefined);
  if (consent?.buttons.includes('Allow')) await wb.dialogs.clickButton('Allow');
  const notice = await waitForNotice(session, CODE, 30_000);
  await closeCenter(session);
  return CODE.exec(notice.message)![1];
}

/** Approves `userCode` on the IdP's device pages in a new page of the same browser. */
export async function approveInBrowser(
  session: Session,
  issuer: string,
  userCode: string,
  email = 'alice@acme.test',
  password = 'alice-pass',
): Promise<Page> {
  const page = await session.context.newPage();
  await page.goto(`${issuer}/device`);
  for (let step = 0; step < 8; step++) {
    if (await page.locator('#success').isVisible()) return page;
    if (await page.locator('#user_code').isVisible()) {
      await page.fill('#user_code', userCode);
      await Promise.all([page.waitForLoadState(), page.click('#submit-code')]);
    } else if (await page.locator('#email').isVisible()) {
      await page.fill('#email', email);
      await page.fill('#password', password);
      await Promise.all([page.waitForLoadState(), page.click('#sign-in')]);
    } else if (await page.locator('#confirm').isVisible()) {
      await Promise.all([page.waitForLoadState(), page.click('#confirm')]);
    } else {
      // None of the device pages' controls is shown yet: wait for one of them rather than for a guessed time.
      await page.waitForSelector('#success, #user_code, #email, #confirm', { state: 'visible', timeout: 20_000 });
    }
  }
  const body = await page.locator('body').innerText();
  throw new Error(`device approval did not finish; the page says: ${body.slice(0, 500)}`);
}

export async function signInThroughUi(session: Session, issuer: string, email?: string, password?: string): Promise<void> {
  const code = await startSignIn(session);
  const page = await approveInBrowser(session, issuer, code, email, password);
  await page.close();
}

import type { AddressInfo } from 'node:net';
import { closeServer, createWebServer, listen } from '../net/httpServers';
import type { TlsMaterial } from '../net/tlsMaterial';
import { ADMIN_ROUTES } from './adminRoutes';
import type { ApiContext } from './apiContext';
import { FLEET_ROUTES, type Route } from './fleetRoutes';
import { HttpError, sendError, sendJson } from './httpJson';

export interface RestServer {
  url: string;
  close(): Promise<void>;
}

const ROUTES: Route[] = [...FLEET_ROUTES, ...ADMIN_ROUTES];

export async function startRestServer(
  ctx: ApiContext,
  host: { bind: string; public: string },
  port: number,
  log: (line: string) => void,
  tls?: TlsMaterial,
): Promise<RestServer> {
  const { server, scheme } = createWebServer(tls, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const matches = ROUTES.map((route) => ({ route, match: route.pattern.exec(url.pathname) })).filter((m) => m.match);
    const found = matches.find((m) => m.route.method === req.method);
    if (!found) {
      const error = matches.length
        ? new HttpError(405, `${req.method} is not allowed on ${url.pathname}`)
        : new HttpError(404, `no endpoint ${url.pathname}`);
      sendError(res, error);
      return;
    }
    found.route
      .handler(ctx, { req, url, params: found.match!.slice(1) })
      .then((body) => sendJson(res, 200, body))
      .catch((err: unknown) => {
        if (err instanceof HttpError) return sendError(res, err);
        log(`REST ${req.method} ${url.pathname} failed: ${(err as Error).stack ?? String(err)}`);
        sendError(res, new HttpError(500, `internal error: ${(err as Error).message}`));
      });
  });
  await listen(server, host.bind, port);
  return {
    url: `${scheme}://${host.public}:${(server.address() as AddressInfo).port}`,
    close: () => closeServer(server),
  };
}

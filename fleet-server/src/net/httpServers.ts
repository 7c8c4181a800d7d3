import { createServer as createHttp, type RequestListener, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { TlsMaterial } from './tlsMaterial';

/** An HTTP server, or HTTPS with the run's certificate when TLS is on; returns the URL scheme too. */
export function createWebServer(tls: TlsMaterial | undefined, handler?: RequestListener): { server: Server; scheme: 'http' | 'https' } {
  if (!tls) return { server: handler ? createHttp(handler) : createHttp(), scheme: 'http' };
  const options = { cert: tls.certPem, key: tls.keyPem };
  return { server: handler ? createHttps(options, handler) : createHttps(options), scheme: 'https' };
}

export function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

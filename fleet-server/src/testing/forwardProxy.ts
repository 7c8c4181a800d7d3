// A forward proxy on loopback, as a corporate one behaves: CONNECT tunnels for https and absolute-form requests
// for http, optional Basic credentials (407 without them), and names only it can resolve (`*.cmdop.test` →
// 127.0.0.1), so a request that reaches the fleet server by such a name went through the proxy. It records every
// request line and header it saw in clear.
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface SeenRequest {
  /** `CONNECT host:port HTTP/1.1` or `GET http://host:port/path HTTP/1.1`. */
  line: string;
  headers: IncomingHttpHeaders;
}

export interface RecordingProxy {
  url: string;
  seen: SeenRequest[];
  /** Everything the proxy saw in clear, for asserting no secret is in it. */
  transcript(): string;
  close(): Promise<void>;
}

const PROXY_ONLY_DOMAIN = 'cmdop.test';

function resolve(host: string): string {
  return host === PROXY_ONLY_DOMAIN || host.endsWith(`.${PROXY_ONLY_DOMAIN}`) ? '127.0.0.1' : host;
}

export async function startRecordingProxy(options: { credentials?: { user: string; password: string } } = {}): Promise<RecordingProxy> {
  const seen: SeenRequest[] = [];
  const expected = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`
    : undefined;
  const authorized = (headers: IncomingHttpHeaders) => !expected || headers['proxy-authorization'] === expected;
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    seen.push({ line: `${req.method} ${req.url} HTTP/${req.httpVersion}`, headers: req.headers });
    if (!authorized(req.headers)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const target = new URL(req.url ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = httpRequest(
      { host: resolve(target.hostname), port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    seen.push({ line: `CONNECT ${req.url} HTTP/${req.httpVersion}`, headers: req.headers });
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (!authorized(req.headers)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = [req.url!.slice(0, req.url!.lastIndexOf(':')), Number(req.url!.slice(req.url!.lastIndexOf(':') + 1))];
    const upstream = connect(port, resolve(host), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    transcript: () =>
      seen
        .map(
          (r) =>
            `${r.line}\n${Object.entries(r.headers)
              .map(([k, v]) => `${k}: ${String(v)}`)
              .join('\n')}`,
        )
        .join('\n\n'),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

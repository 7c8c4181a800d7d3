/**
 * Loopback as an address: 127.0.0.0/8, ::1 or `localhost`. Not a name that merely looks local
 * (`127.example.com`, `localhost.example.com`): a DNS name can point anywhere, so plain http, an insecure gRPC
 * channel or a proxy bypass granted on a name would reach whoever controls that name.
 */
export function isLoopback(hostname: string): boolean {
  const host = bareHost(hostname);
  if (host === 'localhost' || host === '::1') return true;
  const quad = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return !!quad && quad.slice(1).every((part) => Number(part) <= 255);
}

/**
 * A name under `.localhost` (RFC 6761: resolvers answer these with loopback). Good enough to skip a proxy that
 * could not reach them anyway; never enough to allow plain http or an unencrypted channel.
 */
export function isLocalhostSubdomain(hostname: string): boolean {
  const host = bareHost(hostname);
  return host.endsWith('.localhost') && host.length > '.localhost'.length;
}

function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

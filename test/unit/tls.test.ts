import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tlsAdvice, tlsProblemOf } from '../../src/core/network/tls';

describe('TLS failures are named and say which setting fixes them', () => {
  it('tells unknown CA, name mismatch and expiry apart, through wrapped causes and gRPC details', () => {
    const coded = (code: string) => Object.assign(new Error('x'), { code });
    assert.equal(tlsProblemOf(coded('DEPTH_ZERO_SELF_SIGNED_CERT')), 'unknown CA');
    assert.equal(tlsProblemOf(new Error('fetch failed', { cause: coded('UNABLE_TO_VERIFY_LEAF_SIGNATURE') })), 'unknown CA');
    assert.equal(tlsProblemOf(coded('ERR_TLS_CERT_ALTNAME_INVALID')), 'name mismatch');
    assert.equal(tlsProblemOf(new Error('wrapped', { cause: coded('CERT_HAS_EXPIRED') })), 'expired');
    assert.equal(tlsProblemOf({ code: 14, details: 'No connection established. Last error: Error: certificate has expired' }), 'expired');
    assert.equal(
      tlsProblemOf({ code: 14, details: "Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list" }),
      'name mismatch',
    );
    assert.equal(tlsProblemOf(coded('ECONNREFUSED')), undefined);
  });

  it('advice names the CA setting for an unknown CA, the endpoints for a name, and the server for expiry', () => {
    assert.match(
      tlsAdvice('unknown CA', 'https://a', 'cmdop.endpoints.dev.caFile', false),
      /Set "cmdop\.endpoints\.dev\.caFile" to the PEM file/,
    );
    assert.match(
      tlsAdvice('name mismatch', 'https://a', 'cmdop.endpoints.dev.caFile', true),
      /"cmdop\.endpoints\.dev" \(issuer, api, relay\)/,
    );
    assert.match(tlsAdvice('expired', 'https://a', 'cmdop.endpoints.dev.caFile', true), /has expired\. The server must renew it/);
  });
});

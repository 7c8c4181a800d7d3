import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

/** A CA made for this run and a server certificate from it, for every listener of the fleet server. */
export interface TlsMaterial {
  caPem: string;
  /** The CA certificate on disk, to give clients (e.g. `cmdop.endpoints.dev.caFile`). */
  caFile: string;
  certPem: string;
  keyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function rsaKeys(): forge.pki.rsa.KeyPair {
  // Native key generation: node-forge's own takes seconds.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  };
}

function certificate(publicKey: forge.pki.PublicKey, subject: forge.pki.CertificateField[], validDays: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // Positive, random: two runs never issue the same serial.
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + validDays * DAY_MS);
  cert.setSubject(subject);
  return cert;
}

/** Generates the CA and a certificate for `host` and `alsoFor` (IPs or names; localhost and 127.0.0.1 always included). */
export function generateTlsMaterial(host: string, alsoFor: readonly string[] = []): TlsMaterial {
  const caKeys = rsaKeys();
  const caSubject = [{ name: 'commonName', value: 'CMDOP local fleet server CA' }];
  const ca = certificate(caKeys.publicKey, caSubject, 30);
  ca.setIssuer(caSubject);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const keys = rsaKeys();
  const leaf = certificate(keys.publicKey, [{ name: 'commonName', value: host }], 30);
  leaf.setIssuer(caSubject);
  const names = new Set([host, ...alsoFor, '127.0.0.1', 'localhost']);
  const altNames = [...names].map((name) => (/^[\d.]+$|:/.test(name) ? { type: 7, ip: name } : { type: 2, value: name }));
  leaf.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ]);
  leaf.sign(caKeys.privateKey, forge.md.sha256.create());

  const caPem = forge.pki.certificateToPem(ca);
  const caFile = join(mkdtempSync(join(tmpdir(), 'cmdop-fleet-ca-')), 'ca.pem');
  writeFileSync(caFile, caPem);
  return { caPem, caFile, certPem: forge.pki.certificateToPem(leaf), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

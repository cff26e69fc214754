/** A throwaway self-signed certificate for 127.0.0.1 servers, made with Debian's openssl. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { makeTempDir } from './temp-dir';

export interface Certificate {
  readonly dir: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export function makeCertificate(): Certificate {
  const dir = makeTempDir('tls');
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { dir, certFile, keyFile };
}

/** One real nginx (nginx-server.ts) shared by the tests of a suite, with the certificate it serves. */
import { after, before } from 'node:test';
import { startNginx, type NginxOptions, type NginxServer } from './nginx-server';
import { makeCertificate, type Certificate } from './tls-fixtures';

export interface SuiteNginx extends NginxServer {
  readonly cert: Certificate;
}

/**
 * Call inside a `describe`: a `before` hook starts nginx with a fresh certificate, an `after`
 * hook stops it. The fields are there once the suite's tests (and later hooks) run.
 */
export function nginxForSuite(options: NginxOptions = {}): SuiteNginx {
  let started: { readonly server: NginxServer; readonly cert: Certificate } | undefined;
  before(async () => {
    const cert = makeCertificate();
    started = { server: await startNginx(cert, options), cert };
  });
  after(async () => {
    await started?.server.stop();
  });
  const get = (): { readonly server: NginxServer; readonly cert: Certificate } => {
    if (started === undefined) throw new Error("nginx starts before the suite's tests: read it inside a test");
    return started;
  };
  return {
    get port() {
      return get().server.port;
    },
    get masterPid() {
      return get().server.masterPid;
    },
    get workerPid() {
      return get().server.workerPid;
    },
    get cert() {
      return get().cert;
    },
    stop: () => get().server.stop(),
  };
}

/**
 * A Node.js `https` server for the traced-app-cost benchmark: /usr/bin/node's own (static)
 * OpenSSL, keep-alive, a 16-byte response. `node node-https-server.js CERT KEY` prints
 * "listening PORT".
 */
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

const [certFile, keyFile] = process.argv.slice(2);
if (!certFile || !keyFile) throw new Error('usage: node-https-server CERT KEY');
const body = Buffer.from('hello from node\n');
const server = https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as AddressInfo).port}`));

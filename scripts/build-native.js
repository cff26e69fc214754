#!/usr/bin/env node
// Builds the native addon with node-gyp against the headers of the Node that runs this script:
// <prefix>/include/node beside the binary (nodejs.org tarballs, nvm, Debian's /usr), else
// node-gyp's own download of the matching headers (cached in ~/.cache/node-gyp).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const prefix = path.resolve(path.dirname(fs.realpathSync(process.execPath)), '..');
const hasHeaders = fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'));
const gyp = require.resolve('node-gyp/bin/node-gyp.js');
const args = [gyp, 'rebuild', '--directory', path.join(__dirname, '..', 'native'), '--jobs=2'];
if (hasHeaders) args.push(`--nodedir=${prefix}`);
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);

'use strict';

// Static "build": renders dist/index.html using @acme/shared.
const fs = require('fs');
const path = require('path');
const isNumber = require('is-number');
const { greet } = require('@acme/shared');

const outDir = path.join(__dirname, '..', 'dist');
const buildId = process.env.BUILD_ID;

const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Acme web</title>
  </head>
  <body>
    <h1>${greet('Acme')}</h1>
    <p>Build ${isNumber(buildId) ? `#${buildId}` : 'local'}, generated ${new Date().toISOString()}.</p>
  </body>
</html>
`;

fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'index.html'), html);
console.log(`wrote ${path.relative(process.cwd(), path.join(outDir, 'index.html'))}`);

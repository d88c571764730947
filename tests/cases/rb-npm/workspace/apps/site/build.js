'use strict';
// A framework-style build: renders the page at build time and writes a server into dist/.
const fs = require('fs');
const page = '<h1>site built at ' + new Date(0).toISOString() + '</h1>';
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/index.html', page);
fs.writeFileSync('dist/server.js', fs.readFileSync('src/server.js', 'utf8'));

'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const { label } = require('@rb/lib');
const escapeHtml = require('escape-html');
const page = fs.readFileSync(path.join(__dirname, 'index.html'));
const port = Number(process.env.PORT) || 3911;
http.createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ status: 'ok', service: escapeHtml(label('site')) }));
  }
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end(page);
}).listen(port, () => console.log('site listening on :' + port));

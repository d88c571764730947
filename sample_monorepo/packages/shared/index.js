'use strict';

const ms = require('ms');

const startedAt = Date.now();

/**
 * Build a friendly greeting.
 * @param {string} [name]
 * @returns {string}
 */
function greet(name) {
  const who = String(name || '').trim() || 'world';
  return `Hello, ${who}!`;
}

/**
 * Human readable process uptime, e.g. "3s" or "2m".
 * @returns {string}
 */
function uptime() {
  return ms(Date.now() - startedAt);
}

/**
 * Write a JSON response on a node:http ServerResponse.
 * @param {import('http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 */
function jsonResponse(res, status, body) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

module.exports = { greet, uptime, jsonResponse };

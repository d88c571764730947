'use strict';
const ms = require('ms');
exports.answer = (name) => ({ status: 'ok', service: name, uptime: ms(Math.round(process.uptime() * 1000)) });

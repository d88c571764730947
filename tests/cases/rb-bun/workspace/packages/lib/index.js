'use strict';
const ms = require('ms');
exports.label = (name) => name + ' up ' + ms(1000);

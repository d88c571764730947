// A multi-page site generator: out/ with index.html, about.html and 404.html.
const fs = require('node:fs');
fs.mkdirSync('out', { recursive: true });
const page = (title) => `<!doctype html><title>${title}</title><h1>${title}</h1>\n`;
fs.writeFileSync('out/index.html', page('docs'));
fs.writeFileSync('out/about.html', page('about'));
fs.writeFileSync('out/404.html', page('not found'));

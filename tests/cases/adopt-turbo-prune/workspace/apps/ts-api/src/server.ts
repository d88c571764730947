import { createServer } from "node:http";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { label } = require("@rb/lib") as { label: (name: string) => string };

const port: number = Number(process.env.PORT) || 3912;

createServer((req, res) => {
  const ok = req.url === "/health";
  res.writeHead(ok ? 200 : 404, { "content-type": "application/json" });
  res.end(JSON.stringify(ok ? { status: "ok", service: label("ts-api") } : { error: "not found" }));
}).listen(port, () => console.log(`ts-api listening on :${port}`));

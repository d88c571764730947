import * as http from "node:http";
import { createLogger } from "@bench/logger";
import { health } from "@bench/schemas";

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => boolean;

/** A tiny HTTP server answering /health, then the service's own routes. */
export function serve(service: string, handler: Handler = () => false): http.Server {
  const log = createLogger(service);
  const port = Number(process.env.PORT ?? 3000);
  const server = http.createServer((req, res) => {
    if (req.url === "/health") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(health(service)));
      return;
    }
    if (!handler(req, res)) {
      res.writeHead(404);
      res.end();
    }
  });
  server.listen(port, () => log.info({ port }, "listening"));
  return server;
}

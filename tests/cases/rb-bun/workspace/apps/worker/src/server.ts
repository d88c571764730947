// runs on bun itself: TypeScript without a compile step, and bun's own HTTP server
import escapeHtml from "escape-html";
import { label } from "@rb/lib";

const port: number = Number(process.env.PORT) || 3952;
Bun.serve({
  port,
  fetch(req: Request): Response {
    const ok = new URL(req.url).pathname === "/health";
    const body = ok ? { status: "ok", service: escapeHtml(label("worker")), bun: Bun.version } : { error: "not found" };
    return Response.json(body, { status: ok ? 200 : 404 });
  },
});
console.log(`worker listening on :${port}`);

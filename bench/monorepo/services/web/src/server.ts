import * as path from "node:path";
import express from "express";
import { createLogger } from "@bench/logger";

const log = createLogger("web");
const app = express();
app.get("/health", (_req, res) => {
  res.json({ status: "ok", service: "web" });
});
app.use(express.static(path.join(__dirname, "public")));
const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => log.info({ port }, "listening"));

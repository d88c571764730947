import compression from "compression";
import cors from "cors";
import express from "express";
import helmet from "helmet";
import { createLogger } from "@bench/logger";
import { health, Order } from "@bench/schemas";

const log = createLogger("gateway");
const app = express();
app.use(helmet(), cors(), compression(), express.json());
app.get("/health", (_req, res) => {
  res.json(health("gateway"));
});
app.post("/orders", (req, res) => {
  const parsed = Order.safeParse(req.body);
  res.status(parsed.success ? 202 : 400).json(parsed.success ? parsed.data : parsed.error.issues);
});
const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => log.info({ port }, "listening"));

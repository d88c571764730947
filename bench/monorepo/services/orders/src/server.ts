import Fastify from "fastify";
import { createLogger } from "@bench/logger";
import { health, Order } from "@bench/schemas";

const log = createLogger("orders");
const orders = new Map<string, Order>();
const app = Fastify();
app.get("/health", async () => health("orders"));
app.put<{ Body: unknown }>("/orders", async (req, reply) => {
  const order = Order.parse(req.body);
  orders.set(order.id, order);
  return reply.code(201).send(order);
});
const port = Number(process.env.PORT ?? 3000);
app.listen({ port, host: "0.0.0.0" }).then(() => log.info({ port }, "listening"));

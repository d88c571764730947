import { z } from "zod";

export const Order = z.object({
  id: z.string().min(1),
  sku: z.string().min(1),
  quantity: z.number().int().positive(),
});
export type Order = z.infer<typeof Order>;

export const Health = z.object({ status: z.literal("ok"), service: z.string() });
export type Health = z.infer<typeof Health>;

/** The body every service answers on /health. */
export function health(service: string): Health {
  return Health.parse({ status: "ok", service });
}

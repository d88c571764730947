import { greet } from "@rb/greet";

export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ ok: true, greeting: greet("health") });
}

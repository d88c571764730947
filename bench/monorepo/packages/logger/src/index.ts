import pino from "pino";

/** One JSON logger per service, named after it. */
export function createLogger(service: string): pino.Logger {
  return pino({ name: service, level: process.env.LOG_LEVEL ?? "info" });
}

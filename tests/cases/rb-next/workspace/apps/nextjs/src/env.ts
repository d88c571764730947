const skip: boolean = Boolean(process.env.SKIP_ENV_VALIDATION) || Boolean(process.env.CI);
if (!skip && !process.env.AUTH_SECRET) {
  throw new Error("Invalid environment variables: AUTH_SECRET is required");
}
export {};

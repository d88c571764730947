import { createJiti } from "jiti";

// validates the build environment, as t3-env apps do; jiti is a devDependency
const jiti = createJiti(import.meta.url);
await jiti.import("./src/env.ts");

/** @type {import("next").NextConfig} */
export default {
  transpilePackages: ["@rb/greet"],
};

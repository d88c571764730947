// eslint-disable-next-line @typescript-eslint/no-require-imports
const ms = require("ms") as (value: number) => string;

export const label = (name: string): string => `${name} up ${ms(1000)}`;

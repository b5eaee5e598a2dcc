// Writes schema/release-gate.schema.json from the compiled zod schema (run by `npm run build`).
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../dist/src/cli/plan-command.js';

const url = new URL('../schema/release-gate.schema.json', import.meta.url);
writeFileSync(url, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);

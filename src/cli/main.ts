#!/usr/bin/env node
/*
 * The CLI from its compiled modules (`node dist/src/cli/main.js`): what development and the
 * unit tests use, always in step with `tsc -b`. The installed command is launch.ts, which runs
 * the same code from one bundle.
 */
import { runEntry } from './entry.js';

await runEntry(() => import('./cli.js'));

#!/usr/bin/env node
// Launcher for `npx portpressure-agent` from the repository: runs the TypeScript entry through tsx
// (a root devDependency) in this process, so there is no second Node process to start. A deployed
// agent runs the esbuild bundle instead (`npm run build -w @portpressure/agent`, then
// `node apps/agent/dist/portpressure-agent.mjs`), which needs no compiler at all.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');

#!/usr/bin/env node
// Launcher for the workspace's `portpressure-agent` bin inside this repository: runs the TypeScript
// entry through tsx in this process, so there is no second Node process to start. Deployed agents
// run what `npm run build:agent` writes instead (the single executable or the bundle
// apps/agent/dist/portpressure-agent.cjs), which need no compiler at all.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');

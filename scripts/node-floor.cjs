/**
 * What Node itself costs before a line of the agent runs: `npm run bench:agent` starts this file
 * with the agent's node options (plus `--allow-natives-syntax`) three times and prints the peak RSS
 * of each, next to the agent's, so the 50 MB target can be read against the runtime's floor.
 *
 *   node … scripts/node-floor.cjs bare
 *   node … scripts/node-floor.cjs modules node:net node:child_process …
 *   node … scripts/node-floor.cjs optimized node:net node:child_process …
 *
 * `modules` requires the given built-in modules (the bench passes those the agent's bundle
 * requires); `optimized` also has V8's optimizing compiler (TurboFan) compile one byte loop, as the
 * agent's parser of `ss` output is compiled in its first snapshot. It prints one JSON line:
 * `{ "vmHwmKb": …, "rssFileKb": …, "rssAnonKb": …, "optimized": true|false }`.
 */
'use strict';
const { readFileSync } = require('node:fs');

const [mode, ...modules] = process.argv.slice(2);
if (mode !== 'bare' && mode !== 'modules' && mode !== 'optimized') {
  process.stderr.write('usage: node-floor.cjs bare | modules <module…> | optimized <module…>\n');
  process.exit(2);
}
if (mode !== 'bare') for (const name of modules) require(name);

let optimized = false;
if (mode === 'optimized') {
  /** Counts separators in a byte buffer: a loop of the kind the `ss` parser runs. */
  const scan = (bytes) => {
    let fields = 0;
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i];
      if (c === 0x20 || c === 0x3a) fields++;
    }
    return fields;
  };
  const bytes = Buffer.alloc(4096, 0x41);
  // `%GetOptimizationStatus` exists only with --allow-natives-syntax; `new Function` keeps this
  // file parseable (and lintable) without it. Bit 16 of the status: the function runs optimized
  // code. The function is called until V8 optimizes it on its own, as it does the agent's parser.
  const status = new Function('fn', 'return %GetOptimizationStatus(fn);');
  for (let round = 0; round < 200 && !optimized; round++) {
    for (let call = 0; call < 100; call++) scan(bytes);
    optimized = (status(scan) & 16) !== 0;
  }
}

setTimeout(() => {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  process.stdout.write(`${JSON.stringify({ vmHwmKb: kb('VmHWM'), rssFileKb: kb('RssFile'), rssAnonKb: kb('RssAnon'), optimized })}\n`);
}, 200);

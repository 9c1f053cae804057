// Commands load their modules lazily: a one-shot `check` should not pay for the run command's
// configuration or its WebSocket link. Neither command loads zod: the agent checks what it reads with
// the protocol's hand-written checks (@portpressure/protocol/agent-checks).

const USAGE = `Usage: portpressure-agent <command> [options]

Commands:
  run     stream snapshots of this host to a Portpressure API (default)
  check   measure this host now and print the result; no server needed
          (exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)
  health  exit 0 if the running agent is connected to its server, else 1
          (for container health checks; --state-dir DIR as for run)

Options: --version prints the agent's version.

Run "portpressure-agent <command> --help" for the options of a command.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check': {
      const { runCheck } = await import('./check/check-command.ts');
      return runCheck(rest);
    }
    case 'health':
      return runHealth(rest);
    case '--version':
    case 'version': {
      const { AGENT_VERSION } = await import('./version.ts');
      process.stdout.write(`${AGENT_VERSION}\n`);
      return 0;
    }
    case 'run':
    case undefined:
      return runFromArgs(rest);
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    default:
      if (command.startsWith('--')) return runFromArgs(argv);
      process.stderr.write(`portpressure-agent: unknown command "${command}"\n\n${USAGE}`);
      return 3;
  }
}

async function runHealth(args: string[]): Promise<number> {
  const { parseArgs } = await import('node:util');
  const { defaultStateDir } = await import('./config.ts');
  const { checkLinkHealth } = await import('./health-file.ts');
  const { values } = parseArgs({ args, options: { 'state-dir': { type: 'string' } }, strict: true });
  const result = checkLinkHealth(values['state-dir'] ?? process.env['PORTPRESSURE_STATE_DIR'] ?? defaultStateDir());
  (result.healthy ? process.stdout : process.stderr).write(
    `portpressure-agent: ${result.healthy ? 'healthy' : 'unhealthy'}: ${result.reason}\n`,
  );
  return result.healthy ? 0 : 1;
}

async function runFromArgs(args: string[]): Promise<number> {
  const { AGENT_RUN_USAGE, AgentConfigError, loadRunConfig } = await import('./config.ts');
  try {
    const config = loadRunConfig(args);
    const { runAgent } = await import('./run.ts');
    return await runAgent(config);
  } catch (error) {
    if (error instanceof AgentConfigError) {
      const isHelp = error.message === AGENT_RUN_USAGE;
      (isHelp ? process.stdout : process.stderr).write(isHelp ? error.message : `portpressure-agent: ${error.message}\n`);
      return isHelp ? 0 : 3;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`portpressure-agent: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(3);
  },
);

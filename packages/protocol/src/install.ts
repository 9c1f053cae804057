import * as z from 'zod';

/** Files the API serves under /downloads/agent/ (from the agent's build folder). */
export const AGENT_DOWNLOADS = [
  'portpressure-agent-linux-x64',
  'portpressure-agent.cjs',
  'portpressure-agent.service',
  'SHA256SUMS',
  'version',
] as const;
export type AgentDownload = (typeof AGENT_DOWNLOADS)[number];

/** `GET /api/agents/install`: what the UI's "Add hosts" panel needs to show the install command. */
export const agentInstallInfoSchema = z.object({
  /** The server's release; agents reporting a lower version are flagged as out of date. */
  serverVersion: z.string(),
  /**
   * The enrollment token when the API knows it (PORTPRESSURE_ENROLLMENT_TOKEN); null when it was
   * generated on first start, since only its hash is stored: the user pastes it from that log.
   */
  enrollmentToken: z.string().nullable(),
  /** Whether the self-contained agent is built and can be downloaded (npm run build:agent). */
  executableAvailable: z.boolean(),
  bundleAvailable: z.boolean(),
});
export type AgentInstallInfo = z.infer<typeof agentInstallInfoSchema>;

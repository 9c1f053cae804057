import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { AGENT_DOWNLOADS, RELEASE_VERSION, type AgentDownload, type AgentInstallInfo } from '@portpressure/protocol';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { InstallError } from './install.errors.ts';

/** What a base URL may look like to be written into a shell script: no quotes, spaces or `$`. */
const SAFE_BASE_URL = /^https?:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

/**
 * The agent's install script and downloads, from the agent's build folder (npm run build:agent),
 * so that hosts install from this server alone: an air-gapped fleet needs nothing else.
 */
@Injectable()
export class InstallService {
  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {}

  /**
   * The install script with this server's URL as its default. `baseUrl` is the URL the client used
   * to reach us (it is reachable from that host by definition); one that could break out of the
   * shell string is refused rather than escaped.
   */
  installScript(baseUrl: string): string {
    if (!SAFE_BASE_URL.test(baseUrl)) {
      throw new InstallError(
        'INSTALL_URL_UNSAFE',
        `cannot serve the install script for the address "${baseUrl}"; pass --server to it instead`,
      );
    }
    const script = this.read('install.sh');
    return script.toString('utf8').replace(/^PP_DEFAULT_SERVER=""$/m, `PP_DEFAULT_SERVER="${baseUrl}"`);
  }

  /** The path of one download; only the names in AGENT_DOWNLOADS are served. */
  downloadPath(name: string): string {
    if (!(AGENT_DOWNLOADS as readonly string[]).includes(name)) {
      throw new InstallError('AGENT_DOWNLOAD_NOT_FOUND', `no download named "${name}"; there are: ${AGENT_DOWNLOADS.join(', ')}`);
    }
    const file = path.join(this.config.agentDistDir, name as AgentDownload);
    if (!existsSync(file)) throw this.notBuilt(name);
    return file;
  }

  info(): AgentInstallInfo {
    const has = (name: AgentDownload) => existsSync(path.join(this.config.agentDistDir, name));
    return {
      serverVersion: RELEASE_VERSION,
      enrollmentToken: this.config.enrollmentToken ?? null,
      executableAvailable: has('portpressure-agent-linux-x64') && has('SHA256SUMS'),
      bundleAvailable: has('portpressure-agent.cjs'),
    };
  }

  private read(name: string): Buffer {
    try {
      return readFileSync(path.join(this.config.agentDistDir, name));
    } catch {
      throw this.notBuilt(name);
    }
  }

  private notBuilt(name: string): InstallError {
    return new InstallError(
      'AGENT_NOT_BUILT',
      `${name} is not built on this server: run npm run build:agent (PORTPRESSURE_AGENT_DIST_DIR is ${this.config.agentDistDir})`,
    );
  }
}

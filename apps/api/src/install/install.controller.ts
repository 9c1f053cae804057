import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { agentInstallInfoSchema, type AgentInstallInfo } from '@portpressure/protocol';
import type { Request, Response } from 'express';
import { Public } from '../auth/public.decorator.ts';
import { Roles } from '../auth/roles.decorator.ts';
import { ApiEndpoint, ApiSignedIn, schemaRef } from '../docs/openapi.ts';
import { InstallService } from './install.service.ts';

/**
 * The one-line install: `curl -fsSL http://SERVER/install.sh | sudo sh -s -- --token …`. The script
 * and the binaries are public (hosts fetch them before they have any credential; nothing in them is
 * secret); the token that enrolls is not, so the install info is behind sign-in.
 */
@Controller()
export class InstallController {
  constructor(private readonly install: InstallService) {}

  // Not REST: a shell script and binaries for hosts, documented in the README rather than at /api/docs.
  @Get('install.sh')
  @Public()
  @ApiExcludeEndpoint()
  script(@Req() req: Request, @Res() res: Response): void {
    const body = this.install.installScript(`${req.protocol}://${req.get('host') ?? ''}`);
    res.setHeader('Cache-Control', 'no-store');
    res.type('text/x-shellscript').send(body);
  }

  @Get('downloads/agent/:file')
  @Public()
  @ApiExcludeEndpoint()
  download(@Param('file') file: string, @Res() res: Response): void {
    const filePath = this.install.downloadPath(file);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(filePath, {
      dotfiles: 'deny',
      headers: {
        'Content-Type':
          file.endsWith('.service') || file === 'SHA256SUMS' || file === 'version'
            ? 'text/plain; charset=utf-8'
            : 'application/octet-stream',
      },
    });
  }

  // It carries the enrollment token, which adds hosts: for those who may change the fleet.
  @Get('api/agents/install')
  @Roles('editor')
  @ApiSignedIn('agents')
  @ApiEndpoint({
    summary: 'What the "Add hosts" panel shows: server version, enrollment token (when known), downloads available',
    ok: schemaRef('AgentInstallInfo', agentInstallInfoSchema),
    errors: [[403, 'Viewers may not see the enrollment token']],
  })
  info(): AgentInstallInfo {
    return this.install.info();
  }
}

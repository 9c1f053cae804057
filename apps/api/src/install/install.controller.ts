import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AgentInstallInfo } from '@portpressure/protocol';
import type { Request, Response } from 'express';
import { Public } from '../auth/public.decorator.ts';
import { InstallService } from './install.service.ts';

/**
 * The one-line install: `curl -fsSL http://SERVER/install.sh | sudo sh -s -- --token …`. The script
 * and the binaries are public (hosts fetch them before they have any credential; nothing in them is
 * secret); the token that enrolls is not, so the install info is behind sign-in.
 */
@Controller()
export class InstallController {
  constructor(@Inject(InstallService) private readonly install: InstallService) {}

  @Get('install.sh')
  @Public()
  @ApiTags('agents')
  @ApiProduces('text/x-shellscript')
  @ApiOperation({ summary: 'The agent install script, with this server as its default', description: 'Needs no sign-in.' })
  @ApiResponse({ status: 503, description: 'The agent is not built on this server' })
  script(@Req() req: Request, @Res() res: Response): void {
    const body = this.install.installScript(`${req.protocol}://${req.get('host') ?? ''}`);
    res.setHeader('Cache-Control', 'no-store');
    res.type('text/x-shellscript').send(body);
  }

  @Get('downloads/agent/:file')
  @Public()
  @ApiTags('agents')
  @ApiOperation({ summary: 'An agent download: the executable, the bundle, the systemd unit, SHA256SUMS or version', description: 'Needs no sign-in.' })
  @ApiResponse({ status: 404, description: 'No such download' })
  @ApiResponse({ status: 503, description: 'The agent is not built on this server' })
  download(@Param('file') file: string, @Res() res: Response): void {
    const filePath = this.install.downloadPath(file);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(filePath, { dotfiles: 'deny', headers: { 'Content-Type': file.endsWith('.service') || file === 'SHA256SUMS' || file === 'version' ? 'text/plain; charset=utf-8' : 'application/octet-stream' } });
  }

  @Get('api/agents/install')
  @ApiTags('agents')
  @ApiOperation({ summary: 'What the "Add hosts" panel shows: server version, enrollment token (when known), downloads available' })
  @ApiOkResponse({ description: 'Install information' })
  info(): AgentInstallInfo {
    return this.install.info();
  }
}

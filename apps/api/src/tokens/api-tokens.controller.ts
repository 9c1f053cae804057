import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  apiTokenListSchema,
  apiTokenSchema,
  createApiTokenRequestSchema,
  createdApiTokenSchema,
  type ApiToken,
  type ApiTokenList,
  type CreatedApiToken,
} from '@portpressure/protocol';
import type { Request } from 'express';
import { getRequestSession } from '../auth/auth-request.ts';
import { AuthError } from '../auth/auth.errors.ts';
import { ApiEndpoint, schemaRef } from '../docs/openapi.ts';
import { getRequestToken } from './api-token-auth.ts';
import { ApiTokensService } from './api-tokens.service.ts';
import { TokenError } from './tokens.errors.ts';

/**
 * Token management needs a signed-in person: a token cannot mint or revoke tokens, so a leaked
 * one cannot give itself a longer life or a wider scope.
 */
function sessionUser(req: Request): string {
  if (getRequestToken(req)) throw new TokenError('TOKEN_NOT_ALLOWED', 'API tokens are managed with a signed-in session, not with a token');
  const session = getRequestSession(req);
  if (!session) throw new AuthError('UNAUTHENTICATED', 'sign in first (POST /api/auth/login)');
  return session.username;
}

const CALLED_WITH_TOKEN = [403, 'Called with a token'] as const;

@ApiTags('tokens')
@ApiCookieAuth('session')
@ApiBearerAuth('token')
@Controller('api/tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Get()
  @ApiEndpoint({
    summary: 'API tokens',
    description: 'Never the tokens themselves: they are shown once, at creation.',
    ok: schemaRef('ApiTokenList', apiTokenListSchema),
    errors: [CALLED_WITH_TOKEN],
  })
  list(@Req() req: Request): Promise<ApiTokenList> {
    sessionUser(req);
    return this.tokens.list();
  }

  @Post()
  @HttpCode(201)
  @ApiEndpoint({
    summary: 'Create an API token',
    description: 'The answer carries the token (`ppt_…`) this one time; only its hash is stored. Use it as `Authorization: Bearer ppt_…`.',
    body: schemaRef('CreateApiTokenRequest', createApiTokenRequestSchema, 'input'),
    errors: [400, CALLED_WITH_TOKEN],
  })
  @ApiResponse({ status: 201, schema: schemaRef('CreatedApiToken', createdApiTokenSchema) })
  create(@Req() req: Request, @Body() body: unknown): Promise<CreatedApiToken> {
    return this.tokens.create(body, sessionUser(req));
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiEndpoint({
    summary: 'Revoke an API token',
    description: 'It stops working at once; the row stays for the record.',
    ok: schemaRef('ApiToken', apiTokenSchema),
    errors: [404],
  })
  revoke(@Req() req: Request, @Param('id') id: string): Promise<ApiToken> {
    sessionUser(req);
    return this.tokens.revoke(id);
  }
}

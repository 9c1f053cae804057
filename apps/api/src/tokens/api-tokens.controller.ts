import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCookieAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
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
import { errorRef, schemaRef } from '../docs/openapi.ts';
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

@ApiTags('tokens')
@ApiCookieAuth('session')
@ApiBearerAuth('token')
@Controller('api/tokens')
export class ApiTokensController {
  constructor(@Inject(ApiTokensService) private readonly tokens: ApiTokensService) {}

  @Get()
  @ApiOperation({ summary: 'API tokens', description: 'Never the tokens themselves: they are shown once, at creation.' })
  @ApiOkResponse({ schema: schemaRef('ApiTokenList', apiTokenListSchema) })
  @ApiResponse({ status: 403, description: 'Called with a token', schema: errorRef })
  list(@Req() req: Request): Promise<ApiTokenList> {
    sessionUser(req);
    return this.tokens.list();
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create an API token',
    description: 'The answer carries the token (`ppt_…`) this one time; only its hash is stored. Use it as `Authorization: Bearer ppt_…`.',
  })
  @ApiBody({ schema: schemaRef('CreateApiTokenRequest', createApiTokenRequestSchema, 'input') })
  @ApiResponse({ status: 201, schema: schemaRef('CreatedApiToken', createdApiTokenSchema) })
  @ApiResponse({ status: 400, schema: errorRef })
  @ApiResponse({ status: 403, description: 'Called with a token', schema: errorRef })
  create(@Req() req: Request, @Body() body: unknown): Promise<CreatedApiToken> {
    return this.tokens.create(body, sessionUser(req));
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API token', description: 'It stops working at once; the row stays for the record.' })
  @ApiOkResponse({ schema: schemaRef('ApiToken', apiTokenSchema) })
  @ApiResponse({ status: 404, schema: errorRef })
  revoke(@Req() req: Request, @Param('id') id: string): Promise<ApiToken> {
    sessionUser(req);
    return this.tokens.revoke(id);
  }
}

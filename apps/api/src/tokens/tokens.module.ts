import { Module } from '@nestjs/common';
import { ApiTokenAuth } from './api-token-auth.ts';
import { ApiTokensController } from './api-tokens.controller.ts';
import { ApiTokensRepository } from './api-tokens.repository.ts';
import { ApiTokensService } from './api-tokens.service.ts';

@Module({
  controllers: [ApiTokensController],
  providers: [ApiTokensRepository, ApiTokensService, ApiTokenAuth],
  exports: [ApiTokenAuth],
})
export class TokensModule {}

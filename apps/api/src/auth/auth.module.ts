import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TokensModule } from '../tokens/tokens.module.ts';
import { AuthController } from './auth.controller.ts';
import { OidcController } from './oidc/oidc.controller.ts';
import { OidcRepository } from './oidc/oidc.repository.ts';
import { OidcService } from './oidc/oidc.service.ts';
import { UsersModule } from '../users/users.module.ts';
import { AuthGuard } from './auth.guard.ts';
import { AuthRepository } from './auth.repository.ts';
import { AuthService } from './auth.service.ts';
import { RolesGuard } from './roles.guard.ts';

@Module({
  imports: [TokensModule, UsersModule],
  controllers: [AuthController, OidcController],
  providers: [
    AuthRepository,
    AuthService,
    OidcRepository,
    OidcService,
    { provide: APP_GUARD, useClass: AuthGuard },
    // after AuthGuard: guards run in the order registered, and this one reads the session it found
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [AuthService],
})
export class AuthModule {}

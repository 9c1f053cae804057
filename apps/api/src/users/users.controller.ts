import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  passwordResetSchema,
  userCreateSchema,
  userListSchema,
  userSchema,
  userUpdateSchema,
  type User,
  type UserList,
} from '@portpressure/protocol';
import { Audited } from '../audit/audit.decorator.ts';
import { Roles } from '../auth/roles.decorator.ts';
import { ApiEndpoint, ApiSignedIn, schemaRef } from '../docs/openapi.ts';
import { UsersService } from './users.service.ts';

const userRef = schemaRef('User', userSchema);
const load = { service: UsersService, method: 'get' };

@ApiSignedIn('users')
@Roles('admin')
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiEndpoint({ summary: 'Users (admin only)', ok: schemaRef('UserList', userListSchema) })
  list(): Promise<UserList> {
    return this.users.list();
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'One user (admin only)', ok: userRef, errors: [404] })
  get(@Param('id') id: string): Promise<User> {
    return this.users.get(id);
  }

  @Post()
  @Audited({ entity: 'user', action: 'create' })
  @ApiEndpoint({
    summary: 'Create a user with a password and a role (admin only)',
    body: schemaRef('UserCreate', userCreateSchema, 'input'),
    ok: userRef,
    errors: [400, [409, 'The name is taken']],
  })
  create(@Body() body: unknown): Promise<User> {
    return this.users.create(body);
  }

  @Patch(':id')
  @Audited({ entity: 'user', action: 'update', load })
  @ApiEndpoint({
    summary: "Change a user's role (admin only)",
    description: 'The last admin cannot be demoted (409 LAST_ADMIN).',
    body: schemaRef('UserUpdate', userUpdateSchema, 'input'),
    ok: userRef,
    errors: [404, 409],
  })
  update(@Param('id') id: string, @Body() body: unknown): Promise<User> {
    return this.users.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Audited({ entity: 'user', action: 'delete', load })
  @ApiEndpoint({
    summary: 'Delete a user and end their sessions (admin only)',
    description: 'The last admin cannot be removed (409 LAST_ADMIN).',
    noContent: true,
    errors: [404, 409],
  })
  delete(@Param('id') id: string): Promise<void> {
    return this.users.delete(id);
  }

  @Post(':id/password')
  @HttpCode(200)
  @Audited({ entity: 'user', action: 'reset-password', load })
  @ApiEndpoint({
    summary: "Set a user's password and end their sessions (admin only)",
    body: schemaRef('PasswordReset', passwordResetSchema, 'input'),
    ok: userRef,
    errors: [400, 404],
  })
  resetPassword(@Param('id') id: string, @Body() body: unknown): Promise<User> {
    return this.users.resetPassword(id, body);
  }

  @Delete(':id/sessions')
  @HttpCode(200)
  @Audited({ entity: 'user', action: 'end-sessions', load })
  @ApiEndpoint({ summary: "End a user's sessions (admin only)", ok: userRef, errors: [404] })
  endSessions(@Param('id') id: string): Promise<User> {
    return this.users.endSessions(id);
  }
}

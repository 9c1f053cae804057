import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiCookieAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
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
import { errorRef, schemaRef } from '../docs/openapi.ts';
import { UsersService } from './users.service.ts';

const userRef = schemaRef('User', userSchema);
const load = { service: UsersService, method: 'get' };

@ApiTags('users')
@ApiCookieAuth('session')
@Roles('admin')
@Controller('api/users')
export class UsersController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'Users (admin only)' })
  @ApiOkResponse({ schema: schemaRef('UserList', userListSchema) })
  list(): Promise<UserList> {
    return this.users.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user (admin only)' })
  @ApiOkResponse({ schema: userRef })
  @ApiResponse({ status: 404, schema: errorRef })
  get(@Param('id') id: string): Promise<User> {
    return this.users.get(id);
  }

  @Post()
  @Audited({ entity: 'user', action: 'create' })
  @ApiOperation({ summary: 'Create a user with a password and a role (admin only)' })
  @ApiBody({ schema: schemaRef('UserCreate', userCreateSchema, 'input') })
  @ApiOkResponse({ schema: userRef })
  @ApiResponse({ status: 400, schema: errorRef })
  @ApiResponse({ status: 409, description: 'The name is taken', schema: errorRef })
  create(@Body() body: unknown): Promise<User> {
    return this.users.create(body);
  }

  @Patch(':id')
  @Audited({ entity: 'user', action: 'update', load })
  @ApiOperation({ summary: "Change a user's role (admin only)", description: 'The last admin cannot be demoted (409 LAST_ADMIN).' })
  @ApiBody({ schema: schemaRef('UserUpdate', userUpdateSchema, 'input') })
  @ApiOkResponse({ schema: userRef })
  @ApiResponse({ status: 404, schema: errorRef })
  @ApiResponse({ status: 409, schema: errorRef })
  update(@Param('id') id: string, @Body() body: unknown): Promise<User> {
    return this.users.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Audited({ entity: 'user', action: 'delete', load })
  @ApiOperation({
    summary: 'Delete a user and end their sessions (admin only)',
    description: 'The last admin cannot be removed (409 LAST_ADMIN).',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiResponse({ status: 404, schema: errorRef })
  @ApiResponse({ status: 409, schema: errorRef })
  delete(@Param('id') id: string): Promise<void> {
    return this.users.delete(id);
  }

  @Post(':id/password')
  @HttpCode(200)
  @Audited({ entity: 'user', action: 'reset-password', load })
  @ApiOperation({ summary: "Set a user's password and end their sessions (admin only)" })
  @ApiBody({ schema: schemaRef('PasswordReset', passwordResetSchema, 'input') })
  @ApiOkResponse({ schema: userRef })
  @ApiResponse({ status: 400, schema: errorRef })
  @ApiResponse({ status: 404, schema: errorRef })
  resetPassword(@Param('id') id: string, @Body() body: unknown): Promise<User> {
    return this.users.resetPassword(id, body);
  }

  @Delete(':id/sessions')
  @HttpCode(200)
  @Audited({ entity: 'user', action: 'end-sessions', load })
  @ApiOperation({ summary: "End a user's sessions (admin only)" })
  @ApiOkResponse({ schema: userRef })
  @ApiResponse({ status: 404, schema: errorRef })
  endSessions(@Param('id') id: string): Promise<User> {
    return this.users.endSessions(id);
  }
}

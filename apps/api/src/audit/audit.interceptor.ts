import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { concatMap, type Observable } from 'rxjs';
import { getRequestSession } from '../auth/auth-request.ts';
import { AUDIT_SPEC, type AuditLoader, type AuditSpec } from './audit.decorator.ts';
import { AuditService } from './audit.service.ts';

function idOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || !('id' in value)) return null;
  const id = (value as { id: unknown }).id;
  return typeof id === 'string' ? id : null;
}

/** Global interceptor behind @Audited: reads the object before the handler runs, records after it succeeds. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
    private readonly audit: AuditService,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const spec = this.reflector.get<AuditSpec | undefined>(AUDIT_SPEC, context.getHandler());
    if (spec === undefined || context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const param = req.params[spec.idParam ?? 'id'];
    const paramId = typeof param === 'string' ? param : null;
    const before = paramId !== null && spec.load ? await this.load(spec.load, paramId) : null;
    return next.handle().pipe(
      concatMap(async (result: unknown) => {
        const session = getRequestSession(req);
        const entityId = paramId ?? idOf(result);
        const after =
          typeof result === 'object' && result !== null
            ? result
            : entityId !== null && spec.load
              ? await this.load(spec.load, entityId)
              : null;
        await this.audit.record({
          actorId: session?.userId ?? null,
          actorName: session?.username ?? 'unknown',
          action: spec.action,
          entityType: spec.entity,
          entityId,
          before,
          after,
        });
        return result;
      }),
    );
  }

  /** The object as the API shows it, or null when it does not exist (yet, or any more). */
  private async load(loader: AuditLoader, id: string): Promise<unknown> {
    const service = this.moduleRef.get(loader.service, { strict: false }) as Record<string, unknown>;
    const method = service[loader.method];
    if (typeof method !== 'function') throw new Error(`audit loader ${loader.service.name}.${loader.method} is not a method`);
    try {
      return (await (method as (id: string) => Promise<unknown>).call(service, id)) ?? null;
    } catch {
      return null;
    }
  }
}

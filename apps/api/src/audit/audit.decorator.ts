import { SetMetadata, type Type } from '@nestjs/common';

export const AUDIT_SPEC = 'portpressure:audit';

export type AuditEntity = 'rule' | 'channel' | 'user' | 'host' | 'incident' | 'egress-limit';

/** A service method that returns the API's view of one object, or throws when it does not exist. */
export interface AuditLoader {
  service: Type<unknown>;
  method: string;
}

export interface AuditSpec {
  entity: AuditEntity;
  action: string;
  /** Route parameter holding the object's id (default `id`); creations take the id from the answer. */
  idParam?: string;
  /** Reads the object before the change (and after it, when the answer is not the object). */
  load?: AuditLoader;
}

/**
 * Records a successful call of this route in the audit log with the signed-in user, the object
 * before (read through `load`) and after (the route's answer, or read again). A refused or failed
 * call records nothing, since nothing changed.
 */
export const Audited = (spec: AuditSpec): MethodDecorator => SetMetadata(AUDIT_SPEC, spec);

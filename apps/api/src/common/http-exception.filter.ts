import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { ApiError } from '@portpressure/protocol';
import type { Response } from 'express';
import { AppError, HTTP_STATUS_BY_CODE } from './app-error.ts';

/** Maps feature error codes to HTTP statuses, and every error to the protocol's ApiError body. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const res = host.switchToHttp().getResponse<Response>();
    let body: ApiError;
    if (exception instanceof AppError) {
      body = { statusCode: HTTP_STATUS_BY_CODE[exception.code] ?? 400, code: exception.code, message: exception.message };
    } else if (exception instanceof HttpException) {
      const status = exception.getStatus();
      body = { statusCode: status, code: status === 404 ? 'NOT_FOUND' : `HTTP_${status}`, message: exception.message };
    } else {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
      body = { statusCode: 500, code: 'INTERNAL', message: 'internal error' };
    }
    res.status(body.statusCode).json(body);
  }
}

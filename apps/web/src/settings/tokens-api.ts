import {
  apiTokenListSchema,
  apiTokenSchema,
  createdApiTokenSchema,
  type ApiToken,
  type CreateApiTokenRequest,
  type CreatedApiToken,
} from '@portpressure/protocol';
import { request } from '../api.ts';

// The API token REST API for the tokens page; every answer is checked with the protocol.

export async function fetchTokens(signal?: AbortSignal): Promise<ApiToken[]> {
  return (await request('/api/tokens', (b) => apiTokenListSchema.parse(b), { signal })).tokens;
}

export const createToken = (input: CreateApiTokenRequest): Promise<CreatedApiToken> =>
  request('/api/tokens', (b) => createdApiTokenSchema.parse(b), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });

export const revokeToken = (id: string): Promise<ApiToken> =>
  request(`/api/tokens/${encodeURIComponent(id)}`, (b) => apiTokenSchema.parse(b), { method: 'DELETE' });

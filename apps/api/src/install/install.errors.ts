import { AppError } from '../common/app-error.ts';

export type InstallErrorCode = 'AGENT_NOT_BUILT' | 'AGENT_DOWNLOAD_NOT_FOUND' | 'INSTALL_URL_UNSAFE';

/** The agent's downloads are missing (not built on this server) or the file name is not one of them. */
export class InstallError extends AppError<InstallErrorCode> {}

import { AsyncLocalStorage } from 'node:async_hooks';

/** What a unit of work (a request, a message) carries for logs and outgoing calls. */
export interface WorkContext {
  correlationId: string;
  /** Who asked: the authenticated subject, when there is one. */
  actor?: string;
}

const storage = new AsyncLocalStorage<WorkContext>();

export const runInWorkContext = <T>(context: WorkContext, work: () => T): T => storage.run(context, work);

export const currentWorkContext = (): WorkContext | undefined => storage.getStore();

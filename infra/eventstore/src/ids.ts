import { v5 as uuidv5, validate as isUuid } from 'uuid';

// A fixed namespace for Ordo's derived ids; changing it would change every derived id.
const ORDO_NAMESPACE = '0c6b5d56-3e4f-5b0f-9a4e-7d2c4f1e8a31';

/**
 * The id of the index-th event a command produces: uuid v5 of the command id and the
 * index. A retried command derives the same ids, so its append stores nothing twice.
 */
export const eventIdFor = (commandId: string, index: number): string => uuidv5(`${commandId}/${index}`, ORDO_NAMESPACE);

export { isUuid };

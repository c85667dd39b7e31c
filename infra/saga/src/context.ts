/**
 * The saga services' context: its store holds every saga instance's stream, and its relay
 * publishes them on its event topic, which the saga dashboard reads.
 */
export const SAGAS_CONTEXT = 'sagas';
export const SAGAS_EVENTS_TOPIC = `ordo.${SAGAS_CONTEXT}.events`;

/**
 * Where a saga service serves a saga's instances and operator commands: `/v1/sagas/<path>/<key>`,
 * the saga's name in kebab case (`orderPlacement`: `order-placement`). The dashboard finds them by it.
 */
export const sagaRoutePath = (saga: string): string => saga.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/**
 * The saga services' context: its store holds every saga instance's stream, and its relay
 * publishes them on its event topic, which the saga dashboard reads.
 */
export const SAGAS_CONTEXT = 'sagas';
export const SAGAS_EVENTS_TOPIC = `ordo.${SAGAS_CONTEXT}.events`;

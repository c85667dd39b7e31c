// The shape every context's domain has (docs/architecture.md, "One shape for every context"):
// a decider of three pure functions over commands that carry their time, so nothing in
// the domain reads a clock or does I/O.
import type { CommandMetadata } from './command-handler';

/**
 * A command as a decider takes it: its type, its data, and what the application layer
 * looked up for it (`now`, the time it is handled at, always; anything else a rule needs
 * from I/O, such as whether catalog knows a sku).
 */
export interface Command<Type extends string, Data, Facts extends object = object> {
  type: Type;
  data: Data;
  metadata: { now: string } & Facts;
}

/**
 * What every command handler is given besides the command's data: the ids that make the
 * answer idempotent and traceable, and the time it is handled at (ISO), which the
 * caller (an HTTP route, a consumer) captured from its clock.
 */
export type CommandContext = CommandMetadata & { now: string };

/** Three pure functions: the state before anything happened, how an event changes it, and what a command decides. */
export interface Decider<State, C, Event> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: C, state: State): Event[];
}

export {
  defineSaga,
  step,
  fanOut,
  byDataField,
  pivotIndex,
  SagaDefinitionError,
  refuseStep,
  StepRefused,
  type SagaDefinition,
  type SagaStep,
  type StepCommand,
  type StepOptions,
  type StepCondition,
  type FanOutOptions,
  type StepPolicies,
  type RetryPolicy,
  type Invocation,
  type StepContext,
  type LineContext,
  type Compensating,
  type IncomingEvent,
} from './definition';
export type { ReasonOf, ReasonReaders } from './reasons';
export { SAGAS_CONTEXT, SAGAS_EVENTS_TOPIC, sagaRoutePath } from './context';
export {
  evolve,
  initialState,
  SAGA_EVENT_TYPES,
  ENDED_STATUSES,
  sagaIdOf,
  sagaStreamPrefix,
  commandIdFor,
  type SagaEvent,
  type SagaState,
  type StartedSaga,
  type SagaStatus,
  type SentCommand,
  type StepOutline,
  type SagaStarted,
  type CommandIssued,
  type ReplyReceived,
  type ReplyIgnored,
  type IgnoredWhy,
  type SagaFailed,
  type StepTimedOut,
  type RetryScheduled,
  type OperatorActed,
  type CommandKind,
  type Outcome,
} from './instance';
export { sagaDecider, startSaga, instanceFor, UnhandledSagaFailure, type SagaDecider, type SagaInput } from './decide';
export { sagaRunner, SagaInstanceNotFound, type SagaRunner, type SagaRunnerOptions, type SagaHandled, type OperatorRequest } from './runner';
export { operate, SagaOperationRefused, type OperatorAction, type OperatorInput } from './operate';
export { UnregisteredSagaVersion } from './versions';
export { wake, nextWakeOf } from './deadlines';
export { cancel, type CancelInput } from './cancel';
export { decideOn, type DecisionInput, type WakeInput, type SagaDecision, type SagaRecorder } from './recording';
export { replayHistory, type ReplayDifference } from './replay';
export { fixtureOf, fixtureText, readSagaFixtures, sagaFixtureSchema, type SagaFixture } from './fixtures';
export { deadlineScheduler, type DeadlineSchedulerOptions, type RunningScheduler } from './scheduler';
export { describeSaga, STUCK_AFTER_MS, sagaViewSchema, incomingEventSchema, parseIncomingEvent, type SagaView, type StepStatus } from './view';
export {
  sagaSpec,
  trigger,
  started,
  reply,
  operator,
  elapse,
  cancellation,
  type CancellationStimulus,
  type ElapseStimulus,
  type OperatorStimulus,
  type Stimulus,
  type TriggerStimulus,
  type StartedStimulus,
  type ReplyStimulus,
  type ReplyTarget,
  type ExpectedCommand,
} from './saga-spec';

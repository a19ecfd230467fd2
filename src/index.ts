export { respond, after } from './respond.ts'
export type { DurableTask } from './durable.ts'
export type { Telemetry, TaskTelemetry, TaskRegistration, TraceCarrier } from './telemetry.ts'
export type {
  App,
  ExecutionContext,
  FetchHandler,
  ReportOptions,
  RequestInfo,
  Task,
  TaskControl,
  TaskEvent,
  TaskSource,
  SubscribeOptions,
  JobInfo,
  TaskOptions,
  TaskReport,
  TaskStatus,
  WaitUntilContext,
} from './types.ts'

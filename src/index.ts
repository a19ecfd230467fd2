export { respond, after } from './respond.ts'
export type { DurableTask } from './durable.ts'
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

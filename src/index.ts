export { respond, after } from './respond.ts'
export type {
  App,
  ExecutionContext,
  FetchHandler,
  ReportOptions,
  RequestInfo,
  Task,
  TaskOptions,
  TaskReport,
  TaskStatus,
  WaitUntilContext,
} from './types.ts'

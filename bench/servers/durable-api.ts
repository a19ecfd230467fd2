// The part of finish-request/bullmq's API (DESIGN.md, "Durable tasks") that P7 uses,
// declared here so the bench type-checks whether or not that entry is merged yet.
import type { DurableTask } from 'finish-request'

export interface Definition<P> {
  (payload: P, options?: { id?: string }): DurableTask
  enqueue(payload: P, options?: { id?: string }): Promise<string>
}

export interface Jobs {
  define<P>(name: string, handler: (payload: P) => unknown, options?: object): Definition<P>
  work(options: { concurrency: number; onTaskEnd?: () => void }): { close(): Promise<void> }
}

export declare function queue(options: { connection: string; name: string }): Jobs

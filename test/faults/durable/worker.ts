// A worker process of R7–R10: runs the queue's jobs until SIGTERM (graceful) or SIGKILL.
import process from 'node:process'
import { ledger } from '../probe.ts'
import { jobs } from './app.ts'

const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback)

jobs.work({
  concurrency: number('CONCURRENCY', 100),
  gracePeriod: number('GRACE_PERIOD', 25_000),
  // Short locks and stall checks, so a killed worker's jobs are recovered in about a second.
  bullmq: { lockDuration: number('LOCK_MS', 30_000), stalledInterval: number('STALLED_MS', 30_000) },
  onTaskEnd: (report) => ledger('report', { id: report.job?.id, status: report.status, attempt: report.job?.attempt }),
  onError: () => {},
})
process.on('SIGTERM', () => ledger('signal'))
// "listening" is what the harness waits for before the test goes on.
ledger('listening', { url: 'worker', pid: process.pid })

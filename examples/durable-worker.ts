// The worker process of `npm run start:durable`: runs the exports queue's jobs until
// SIGTERM, then lets in-flight zips finish (or puts them back on the queue) and exits.
import process from 'node:process'
import { jobs } from './durable-app.ts'

jobs.work({
  concurrency: 2,
  gracePeriod: 10_000,
  onError: (error, report) => console.error(`  job ${report.name} ${report.job?.id} attempt ${report.job?.attempt}: ${error.message}`),
})
console.log(`worker (pid ${process.pid}) waiting for jobs on queue "${jobs.name}"`)

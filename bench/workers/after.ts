// after-response's worker() on workerd, tasks registered with respond().
import { worker } from 'after-response/cloudflare'
import { createApp } from '../app.ts'
import { afterResponse } from '../schedules.ts'
import { workerHooks } from './hooks.ts'

export default worker(createApp(afterResponse, workerHooks))

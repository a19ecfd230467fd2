// finish-request's worker() on workerd, tasks registered with respond().
import { worker } from 'finish-request/cloudflare'
import { createApp } from '../app.ts'
import { afterResponse } from '../schedules.ts'

export default worker(createApp(afterResponse))

// after-response's worker() on workerd, tasks registered with respond().
import { worker } from 'after-response/cloudflare'
import { createApp } from '../app.ts'
import { afterResponse } from '../schedules.ts'

export default worker(createApp(afterResponse))

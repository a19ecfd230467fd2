// P1/P2's control on workerd: the work started by setTimeout(0), kept alive by ctx.waitUntil.
import { createApp } from '../app.ts'
import { timer } from '../schedules.ts'

export default createApp(timer)

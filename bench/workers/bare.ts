// workerd's floor: the app as a module worker, no background work.
import { createApp } from '../app.ts'
import { none } from '../schedules.ts'

export default createApp(none)

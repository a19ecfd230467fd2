import { worker } from 'finish-request/cloudflare'
import { app, probe, recordReport } from '../app.ts'

// workerd prints nothing for an unhandled rejection: count them where it reports them.
addEventListener('unhandledrejection', () => probe.unhandledRejections++)

export default worker(app, { onTaskEnd: recordReport })

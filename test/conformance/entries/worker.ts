import { worker } from 'after-response/cloudflare'
import { app, recordReport } from '../app.ts'

export default worker(app, { onTaskEnd: recordReport })

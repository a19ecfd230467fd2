import { worker } from 'finish-request/cloudflare'
import { app, recordReport } from '../app.ts'

export default worker(app, { onTaskEnd: recordReport })

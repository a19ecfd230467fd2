// Workers' `export default app`, with the finishRequest() middleware: no worker() of ours.
import { probe } from '../app.ts'
import { adopted } from './middleware.ts'

addEventListener('unhandledrejection', () => probe.unhandledRejections++)

export default adopted()

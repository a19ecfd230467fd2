import { serve } from 'finish-request/node'
import { start } from './start.ts'

await start(serve)

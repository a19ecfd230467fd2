import { serve } from 'after-response/node'
import { start } from './start.ts'

await start(serve)

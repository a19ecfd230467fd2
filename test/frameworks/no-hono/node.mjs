// `node --import ./node.mjs`: refuse Hono, see node-hooks.mjs.
import { register } from 'node:module'

register('./node-hooks.mjs', import.meta.url)

// An Elysia 1.4 app (Bun): handlers get Elysia's context, no ExecutionContext.
import { Elysia } from 'elysia'
import { big, cpu, fail, forever, scheduleSleep } from '../work.ts'

export const app = new Elysia()
  .get('/cpu', ({ query }) => cpu(query.id ?? ''))
  .get('/sleep', ({ query }) => scheduleSleep(query.id ?? '', Number(query.ms)))
  .get('/big', () => big())
  .get('/fail', () => fail())
  .get('/forever', ({ query }) => forever(query.id ?? ''))

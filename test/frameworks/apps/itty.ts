// An itty-router v5 app: handlers get the request (and whatever fetch was called with).
import { AutoRouter } from 'itty-router'
import { big, cpu, fail, forever, scheduleSleep } from '../work.ts'

const text = (value: string | string[] | undefined) => String(value ?? '')

export const app = AutoRouter()
  .get('/cpu', ({ query }) => cpu(text(query.id)))
  .get('/sleep', ({ query }) => scheduleSleep(text(query.id), Number(query.ms)))
  .get('/big', () => big())
  .get('/fail', () => fail())
  .get('/forever', ({ query }) => forever(text(query.id)))

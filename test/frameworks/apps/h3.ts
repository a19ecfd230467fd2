// An h3 v2 app: routes get an H3Event, no ExecutionContext.
import { H3 } from 'h3'
import { big, cpu, fail, forever, scheduleSleep } from '../work.ts'

const query = (url: URL, name: string) => url.searchParams.get(name) ?? ''

export const app = new H3()
  .get('/cpu', (event) => cpu(query(event.url, 'id')))
  .get('/sleep', (event) => scheduleSleep(query(event.url, 'id'), Number(query(event.url, 'ms'))))
  .get('/big', () => big())
  .get('/fail', () => fail())
  .get('/forever', (event) => forever(query(event.url, 'id')))

// Task names, request URLs and error messages come from the app's users: in the inspector
// they must stay text, both as the server renders them and as the page's script does.
import { connect } from 'node:net'
import { Hono } from 'hono'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { serve, type Server } from '../../adapters/node.ts'
import { inspector } from '../../src/inspector/index.ts'
import { respond } from '../../src/index.ts'
import { launchChromium } from './browser.ts'

const NAME = `<img src=x onerror="window.pwned='name'">`
const MESSAGE = `</script><script>window.pwned='message'</script><b>bold?</b>`
const QUERY = `"><svg/onload="window.pwned='url'">`

let server: Server
let browser: Browser

beforeAll(async () => {
  const app = new Hono()
  app.get('/hostile', (c) =>
    respond(
      c.executionCtx,
      c.text('ok'),
      () => {
        throw new Error(MESSAGE)
      },
      { name: NAME },
    ),
  )
  server = serve(app, { port: 0, hostname: '127.0.0.1', signals: false, onError: () => {} })
  app.mount('/_tasks', inspector(server))
  await server.ready()
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

it('renders hostile names, URLs and messages as text, live and server-rendered', async () => {
  const page = await browser.newPage()
  await page.goto(new URL('_tasks/', server.url!).href)
  await page.locator('#conn.live').waitFor()
  // A raw request line, as a hostile client sends it (fetch() would percent-encode it first).
  expect(await rawGet(new URL(server.url!), `/hostile?q=${QUERY}`)).toMatch(/^HTTP\/1.1 200/)

  const check = async () => {
    const row = page.locator('tr.s-error').first()
    await row.waitFor()
    expect(await row.locator('.name').evaluate((td) => td.firstChild!.textContent)).toBe(NAME)
    expect(await row.locator('.err').textContent()).toBe(`Error: ${MESSAGE}`)
    expect(await row.locator('.url').textContent()).toBe(new URL(`hostile?q=${QUERY}`, server.url!).href) // as the server parsed it
    expect(await page.locator('img, svg:not(#chart), b').count()).toBe(0)
    expect(await page.evaluate(() => (window as unknown as { pwned?: string }).pwned)).toBeUndefined()
  }
  await check() // rendered by the page's script from the event stream
  await page.reload()
  await check() // rendered by the server (the task is in the history now)
  await page.close()
})

function rawGet(url: URL, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = ''
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.end(`GET ${target} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`)
    })
    socket.on('data', (chunk) => (answer += chunk))
    socket.on('end', () => resolve(answer))
    socket.on('error', reject)
  })
}

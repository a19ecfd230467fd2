// `npm start` as a person uses it: open the printed URL, click Export, watch the answer
// come back and the work finish afterwards in the inspector; then make a task fail.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './browser.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
let demo: ChildProcess
let url: string
let browser: Browser
let page: Page
let output = ''
const requested: string[] = []

beforeAll(async () => {
  // What `npm start` runs (the build is done by `npm test` beforehand), on any free port.
  demo = spawn(process.execPath, ['--import', 'tsx', 'examples/node.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  url = await new Promise<string>((resolve, reject) => {
    demo.stdout!.on('data', (chunk) => {
      output += chunk
      const printed = /open (http:\/\/\S+) in a browser/.exec(output)
      if (printed) resolve(printed[1]!)
    })
    demo.stderr!.on('data', (chunk) => (output += chunk))
    demo.once('exit', (code) => reject(new Error(`the demo exited with ${code}:\n${output}`)))
  })
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } })
  // Self-contained: the pages load nothing from anywhere but the server itself.
  page.on('request', (request) => requested.push(request.url()))
})

afterAll(async () => {
  await browser?.close()
  demo?.kill('SIGTERM')
})

describe('the demo page', () => {
  it('answers Export at once and shows the statistics write and the zip finishing afterwards', async () => {
    await page.goto(url)
    const inspector = page.frameLocator('iframe')
    // Live before clicking, so the tasks are seen from their registration on.
    await inspector.locator('#conn.live').waitFor()

    await page.click('#export')
    const answer = page.locator('#answers li').first()
    await answer.waitFor()
    expect(await answer.textContent()).toMatch(/^POST \/export answered in \d+\.\d ms: \{"code":0,"msg":"ok","data":true\}$/)

    const zip = (status: string) => inspector.locator(`tr.s-${status}`, { hasText: 'zipExport' })
    // Running, with its progress per file shown as a bar and a count.
    await zip('running').locator('.bar > span').waitFor()
    expect(await zip('running').locator('.count').textContent()).toMatch(/^[1-6]\/6$/)
    expect(await zip('running').locator('.url').textContent()).toBe(new URL('export', url).href)

    await inspector.locator('tr.s-ok', { hasText: 'writeStatistics' }).waitFor()
    await zip('ok').waitFor()
    expect(await zip('ok').locator('.count').textContent()).toBe('6/6')
    // Its duration, and how its response's delivery was known (Node: the response's finish).
    expect(await zip('ok').locator('.dur').textContent()).toMatch(/^\d+(\.\d+)? (ms|s) confirmed$/)
    // Each finished task is a dot on the durations chart.
    expect(await inspector.locator('#chart circle').count()).toBeGreaterThanOrEqual(2)
    expect(await inspector.locator('#pending').textContent()).toBe('0 pending')
    expect(requested.filter((address) => new URL(address).origin !== new URL(url).origin)).toEqual([])
  })

  it('shows a failing task as error, with its message, in the list and under Failed', async () => {
    const inspector = page.frameLocator('iframe')
    await page.click('#fail')
    await page.locator('#answers li', { hasText: 'POST /receipt answered' }).waitFor()
    const message = 'Error: SMTP relay refused <billing@example.com>: 550 mailbox unavailable'
    const row = inspector.locator('tr.s-error', { hasText: 'sendReceipt' })
    await row.waitFor()
    expect(await row.locator('.err').textContent()).toBe(message)
    expect(await inspector.locator('#failed li.s-error .msg').first().textContent()).toBe(message)
    expect(output).toContain('task sendReceipt error: SMTP relay refused')

    // Both buttons once more, so the screenshot shows work in flight next to finished work.
    await page.click('#export')
    await page.click('#fail')
    await inspector.locator('tr.s-running', { hasText: 'zipExport' }).locator('.bar > span').waitFor()
    await page.screenshot({ path: `${root}docs/demo.png` })
  })
})

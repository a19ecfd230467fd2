// A real Chromium: Debian's (`apt-get install -y chromium`), never a downloaded one.
import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

export const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export function launchChromium(): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: apt-get install -y chromium (or set CHROMIUM_PATH)`)
  }
  return chromium.launch({ executablePath, args: ['--no-sandbox'] })
}

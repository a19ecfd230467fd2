// The app under test, by name: imported on demand, so Node and Deno never load Elysia.
export type FetchApp = ((request: Request) => Response | Promise<Response>) | { fetch(request: Request): Response | Promise<Response> }

/**
 * Wrapped in an object: an itty-router router answers every property, `then` included,
 * so resolving a promise with it would register a route instead of resolving.
 */
export async function loadApp(name: string | undefined): Promise<{ app: FetchApp }> {
  switch (name) {
    case 'h3':
      return { app: (await import('./h3.ts')).app }
    case 'itty':
      return { app: (await import('./itty.ts')).app as FetchApp }
    case 'bare':
      return { app: (await import('./bare.ts')).app }
    case 'elysia':
      return { app: (await import('./elysia.ts')).app }
    default:
      throw new TypeError(`FRAMEWORK must be h3, itty, bare or elysia, got ${name}`)
  }
}

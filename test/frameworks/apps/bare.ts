// A bare fetch function: no framework at all.
import { big, cpu, fail, forever, scheduleSleep } from '../work.ts'

export function app(request: Request): Response {
  const url = new URL(request.url)
  const id = url.searchParams.get('id') ?? ''
  switch (url.pathname) {
    case '/cpu':
      return cpu(id)
    case '/sleep':
      return Response.json(scheduleSleep(id, Number(url.searchParams.get('ms'))))
    case '/big':
      return big()
    case '/fail':
      return fail()
    case '/forever':
      return Response.json(forever(id))
    default:
      return new Response('not found', { status: 404 })
  }
}

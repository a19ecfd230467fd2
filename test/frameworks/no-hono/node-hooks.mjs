// Module resolve hook: the framework apps, finish-request and their other dependencies
// must run without Hono. Only @hono/node-server may import it: hono is its required peer
// dependency, which npm installs along with it.
const isHono = (specifier) => specifier === 'hono' || specifier.startsWith('hono/')

export async function resolve(specifier, context, next) {
  if (isHono(specifier) && !context.parentURL?.includes('/node_modules/@hono/node-server/')) {
    throw new Error(`${specifier} imported from ${context.parentURL}: the framework table must not need hono`)
  }
  return next(specifier, context)
}

// `bun --preload ./bun.ts`: the framework apps and finish-request must run without Hono.
// (Bun's runtime plugins see bare package imports only once loaded, hence onLoad.)
declare const Bun: {
  plugin(plugin: { name: string; setup(build: { onLoad(options: { filter: RegExp }, load: (args: { path: string }) => never): void }): void }): void
}

Bun.plugin({
  name: 'no-hono',
  setup(build) {
    build.onLoad({ filter: /\/node_modules\/hono\// }, ({ path }) => {
      throw new Error(`${path} was loaded: the framework table must not need hono`)
    })
  },
})

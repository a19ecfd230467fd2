// Node: one framework app (FRAMEWORK) behind one server style (STYLE).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve as honoNodeServe } from '@hono/node-server'
import express from 'express'
import { handle, serve } from 'finish-request/node'
import { loadApp } from '../apps/index.ts'
import { announce, closeOnSigterm, markSignal, options } from './shared.ts'

const { app } = await loadApp(process.env.FRAMEWORK)
const hostname = '127.0.0.1'
const urlOf = (address: AddressInfo | string | null) => `http://${hostname}:${(address as AddressInfo).port}/`

switch (process.env.STYLE) {
  case 'serve': {
    const server = serve(app, { ...options(process.env), port: 0, hostname })
    markSignal()
    await server.ready()
    announce(server.url!)
    break
  }
  case '@hono/node-server': {
    const handler = handle(app, options(process.env))
    const server = honoNodeServe({ fetch: handler.fetch, port: 0, hostname }, (info) => announce(urlOf(info)))
    closeOnSigterm(handler, () => server.close())
    break
  }
  case 'http.createServer': {
    const handler = handle(app, options(process.env))
    const server = createServer(handler.listener).listen(0, hostname, () => announce(urlOf(server.address())))
    closeOnSigterm(handler, () => server.close())
    break
  }
  case 'express': {
    const handler = handle(app, options(process.env))
    const server = express()
      .use(handler.listener)
      .listen(0, hostname, () => announce(urlOf(server.address())))
    closeOnSigterm(handler, () => server.close())
    break
  }
  default:
    throw new TypeError(`unknown STYLE ${process.env.STYLE}`)
}

// The little the shim uses from a honojs/node-server checkout, which the parity config
// maps `parity-checkout/*` to (its `src/*`). Only for type-checking this repository.
declare module 'parity-checkout/websocket' {
  export function setupWebSocket(options: { server: unknown; fetchCallback: unknown; wss: unknown }): void
}

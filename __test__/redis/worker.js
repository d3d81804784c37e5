'use strict'
// One process of a fleet (see harness.js): builds a client from argv[2] and runs batches of concurrent calls
// when the test asks, answering { ok, failed, errors } over IPC. Nothing is shared with other workers but Redis (or
// the test's own shared store).

const cloud = require('../..')
const { ipcStore } = require('../helpers/shared-store.js')

const config = JSON.parse(process.argv[2])
// `store: { ipc: { locks } }`: the user's own store, kept by the test process (helpers/shared-store.js).
if (config.store && config.store.ipc) config.store = ipcStore(config.store.ipc)
const client = cloud.createClient(config)

process.on('message', async (msg) => {
  if (msg.cmd === undefined) return
  if (msg.cmd === 'ready') return process.send({ id: msg.id })
  // As the app itself, or (msg.appid) on behalf of an authorized merchant through the platform identity.
  const api = msg.appid ? client.openapi({ appid: msg.appid }) : client.openapi
  const calls = Array.from({ length: msg.calls }, () => api.logistics.getAllAccount({}))
  const settled = await Promise.allSettled(calls)
  const errors = settled.filter((s) => s.status === 'rejected').map((s) => s.reason.message)
  process.send({ id: msg.id, ok: settled.length - errors.length, failed: errors.length, errors: [...new Set(errors)] })
})
// Workers end when the test ends, even if it forgot them.
process.on('disconnect', () => process.exit(0))

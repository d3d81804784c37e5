'use strict'
// Run with --expose-gc: prints whether a client that had a listener is garbage-collected once dropped
// (the native event callback must not keep it alive).
const cloud = require('../..')
const { DEMO_APP } = require('../../emulator.js')

;(async () => {
  const emu = await cloud.startEmulator()
  let collected = false
  const registry = new FinalizationRegistry(() => {
    collected = true
  })
  await (async () => {
    const c = cloud.createClient({ ...DEMO_APP, apiBase: emu.url })
    c.on('response', () => {})
    await c.openapi.logistics.getAllDelivery({})
    registry.register(c.native, 'native client')
  })()
  for (let i = 0; i < 50 && !collected; i++) {
    global.gc()
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  console.log(JSON.stringify({ collected }))
  await emu.close()
})()

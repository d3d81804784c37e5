'use strict'
// One process for callgrind to count: N calls of `logistics.getAllAccount` at concurrency 8 against an emulator
// that runs elsewhere (its URL in WECHAT_API_BASE), after one warm-up call. Run by bench/instructions.js.
//   node bench/ir-probe.js <client: ours> <calls>

const { APP } = require('./emulator-process.js')

const CONCURRENCY = 8

function clientFor(kind, url) {
  if (kind === 'ours') {
    const cloud = require('..')
    const client = cloud.createClient({ ...APP, apiBase: url })
    return () => client.openapi.logistics.getAllAccount({})
  }
  throw new Error(`unknown client ${kind}`)
}

async function main() {
  const [kind, callsText] = process.argv.slice(2)
  const calls = Number(callsText)
  const call = clientFor(kind, process.env.WECHAT_API_BASE)
  await call()
  let left = calls
  const lane = async () => {
    while (left-- > 0) await call()
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, lane))
  process.exit(0)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})

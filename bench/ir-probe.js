'use strict'
// One process for callgrind to count: N calls of one endpoint at concurrency 8 against an emulator that runs
// elsewhere (its URL in WECHAT_API_BASE, the endpoint's params as JSON in WECHAT_BENCH_PARAMS), after one
// warm-up call. Run by bench/instructions.js.
//   node bench/ir-probe.js <client: ours|undici|fetch> <endpoint: small|large> <calls>

const { APP } = require('./emulator-process.js')
const { make } = require('./clients.js')

// 8 by default; 1 (WECHAT_BENCH_CONCURRENCY) makes the count steadier: no batching that varies with timing.
const CONCURRENCY = Number(process.env.WECHAT_BENCH_CONCURRENCY || 8)

async function main() {
  const [kind, endpoint, callsText] = process.argv.slice(2)
  const calls = Number(callsText)
  const params = JSON.parse(process.env.WECHAT_BENCH_PARAMS || '{}')
  const call = make(kind, { ...APP, url: process.env.WECHAT_API_BASE })
  await call(endpoint, params)
  let left = calls
  const lane = async () => {
    while (left-- > 0) await call(endpoint, params)
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, lane))
  process.exit(0)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})

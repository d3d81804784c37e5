'use strict'
// Run by Bun and Deno (runtimes.spec.js): calls through the package as users there make them. `.cjs`: Deno
// runs CommonJS only from files that say so.
//   <emulator url>   prints one line, RESULT <json>

const path = require('node:path')
const cloud = require(path.join(__dirname, '..', '..'))

const APP = { appid: 'wxfoundation000001', secret: 'foundation-secret-0001' }

async function main() {
  const url = process.argv[process.argv.length - 1]
  const client = cloud.createClient({ ...APP, apiBase: url })
  let left = 20
  let ok = 0
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (left-- > 0) if ((await client.openapi.logistics.getAllAccount({})).errCode === 0) ok++
  }))
  // A typed failure, made in Rust and wrapped in JS, as under Node.
  const wrong = cloud.createClient({ appid: APP.appid, secret: 'not-the-secret-000001', apiBase: url })
  const failure = await wrong.openapi.logistics.getAllAccount({}).then(() => null, (e) => ({
    openApiError: e instanceof cloud.OpenApiError,
    errCode: e.errCode,
    leaks: JSON.stringify({ ...e, message: e.message }).includes('not-the-secret-000001'),
  }))
  console.log(`RESULT ${JSON.stringify({ ok, failure })}`)
}

main().catch((e) => {
  console.error(e && e.stack)
  process.exit(1)
})

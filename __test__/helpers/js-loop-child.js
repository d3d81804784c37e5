'use strict'
// Child processes for js-loop.spec.js: calls on the JS thread's own event loop, seen from outside.
//   alive <url>      one call to a slow server, then nothing: must print its outcome and exit by itself
//   workers <emu> <hang>   calls from the main thread and two workers at once; a third worker ended with calls pending
//   plain <emu>      ten calls, whatever WECHAT_OPENAPI_WORKER_THREADS says
//   large <url>      answers of 300 kB (read off the loop, crossing as external strings), checked after GCs

const { Worker, isMainThread, workerData, parentPort } = require('node:worker_threads')
const path = require('node:path')
const cloud = require(path.join(__dirname, '..', '..'))

const APP = { appid: 'wxfoundation000001', secret: 'foundation-secret-0001' }

async function calls(url, n, concurrency) {
  const client = cloud.createClient({ ...APP, apiBase: url })
  let left = n
  let ok = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) {
      const r = await client.openapi.logistics.getAllAccount({})
      if (r.errCode === 0) ok++
    }
  }))
  return ok
}

async function main() {
  const [mode, url, hang] = process.argv.slice(2)
  if (mode === 'alive') {
    const client = cloud.createClient({ accessToken: 'fixed-token-for-the-slow-server', apiBase: url })
    const r = await client.openapi.logistics.getAllAccount({})
    console.log(`settled ${r.count}`)
    return
  }
  if (mode === 'plain') {
    console.log(`ok ${await calls(url, 10, 2)}`)
    return
  }
  if (mode === 'large') {
    const client = cloud.createClient({ accessToken: 'fixed-token-for-the-large-server', apiBase: url })
    const texts = []
    for (let round = 0; round < 20; round++) {
      const answers = await Promise.all([1, 2, 3].map(() => client.openapi.logistics.batchGetOrder({ orderList: [{ orderId: 'o1', deliveryId: 'TEST' }] })))
      for (const r of answers) texts.push(r.orderList.map((o) => o.printHtml).join(''))
      // The strings of earlier answers are collected while later ones arrive: their bytes go back to the core.
      global.gc()
    }
    const distinct = new Set(texts)
    console.log(`RESULT ${JSON.stringify({ answers: texts.length, distinct: distinct.size, length: texts[0].length, head: texts[0].slice(0, 12) })}`)
    return
  }
  if (mode === 'workers') {
    const spawn = (data) => new Worker(__filename, { workerData: data })
    const finished = (w) => new Promise((resolve, reject) => {
      w.once('message', resolve)
      w.once('error', reject)
    })
    const a = spawn({ url, n: 200 })
    const b = spawn({ url, n: 200 })
    const [main, fromA, fromB] = await Promise.all([calls(url, 200, 8), finished(a), finished(b)])
    // A worker whose calls hang is ended with them pending: its loop is torn down, the process goes on.
    const doomed = spawn({ url: hang, n: 8 })
    await new Promise((resolve) => setTimeout(resolve, 300))
    await doomed.terminate()
    const after = await calls(url, 20, 4)
    console.log(`RESULT ${JSON.stringify({ main, fromA, fromB, after })}`)
    return
  }
  throw new Error(`unknown mode ${mode}`)
}

if (isMainThread) {
  main().catch((e) => {
    console.error(e)
    process.exit(1)
  })
} else {
  calls(workerData.url, workerData.n, 8).then((ok) => parentPort.postMessage(ok))
}

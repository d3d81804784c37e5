'use strict'
// `npm run demo`: the product brief's cloud function, run against the built-in WeChat emulator.

const cloud = require('..')

const APP = { appid: 'wxdemo0000000001', secret: 'demo-app-secret-0001' }

// The seed's cloud function, unchanged but for require/init.
exports.main = async () => cloud.openapi.logistics.getAllAccount({})

function show(title, value) {
  console.log(`\n== ${title}`)
  console.log(typeof value === 'string' ? value : JSON.stringify(value, null, 2))
}

async function run() {
  const emu = await cloud.startEmulator({ port: 0, apps: [APP] })
  try {
    show('emulator', `a fake WeChat server is listening on ${emu.url}`)
    await emu.seedAccounts(APP.appid, [
      { bizId: 'SF_CUSTOMER_0001', deliveryId: 'SF', alias: 'Shenzhen warehouse' },
      { bizId: 'ZTO_CUSTOMER_0002', deliveryId: 'ZTO', alias: 'Hangzhou warehouse' },
    ])
    cloud.init({ ...APP, apiBase: emu.url })

    show('exports.main() → cloud.openapi.logistics.getAllAccount({})', await exports.main())
    show('cloud.openapi.openPlatform.createOpenAccount({ appid })', await cloud.openapi.openPlatform.createOpenAccount({ appid: APP.appid }))
    show(
      "cloud.openapi.officialAccount.linkMiniprogram({ appid, notifyUsers: 1, showProfile: 1 })",
      await cloud.openapi.officialAccount.linkMiniprogram({ appid: 'wxdemominiprogram1', notifyUsers: 1, showProfile: 1 }),
    )
    try {
      await cloud.openapi.logistics.applyMsgPlugin({})
    } catch (err) {
      const { name, errCode, errMsg, rid, category, retryable, attempts, meaning } = err
      show('cloud.openapi.logistics.applyMsgPlugin({}) with the app\'s own token → a typed error', {
        name, instanceOfOpenApiError: err instanceof cloud.OpenApiError, errCode, errMsg, rid, category, retryable, attempts, meaning,
      })
    }
    show('token requests the emulator saw for all of the above', String(await emu.tokenRequests()))
  } finally {
    await emu.close()
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err)
    process.exitCode = 1
  })
}

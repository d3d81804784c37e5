'use strict'
// `npm run demo`: the product brief's cloud function, run against the built-in WeChat emulator.

const cloud = require('..')

const http = require('node:http')

const APP = { appid: 'wxdemo0000000001', secret: 'demo-app-secret-0001' }
const PLATFORM = {
  appid: 'wxdemoplatform0001',
  secret: 'demo-platform-secret-000000000001',
  token: 'demo-push-token',
  encodingAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA',
}
const MERCHANT = 'wxdemomerchant0001'

/** The same seed API, as a third-party platform acting for a merchant: the ticket push, authorization, the call. */
async function onBehalfOfAMerchant(emu) {
  const platform = cloud.createClient({ component: PLATFORM, apiBase: emu.url })
  const server = http.createServer(platform.component.pushHandler())
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const authorized = new Promise((resolve) =>
      platform.component.on('authorized', async (e) => resolve(await platform.component.queryAuth(e.authorizationCode))),
    )
    await emu.pushTicket(`http://127.0.0.1:${server.address().port}/`)
    await emu.authorize({ componentAppid: PLATFORM.appid, authorizerAppid: MERCHANT, permissionSets: [45] })
    const auth = await authorized
    return { queryAuth: auth, applyMsgPlugin: await platform.openapi({ appid: MERCHANT }).logistics.applyMsgPlugin({}) }
  } finally {
    server.close()
  }
}

// The seed's cloud function, unchanged but for require/init.
exports.main = async () => cloud.openapi.logistics.getAllAccount({})

function show(title, value) {
  console.log(`\n== ${title}`)
  console.log(typeof value === 'string' ? value : JSON.stringify(value, null, 2))
}

async function run() {
  const emu = await cloud.startEmulator({ port: 0, apps: [APP], components: [PLATFORM] })
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
    show(`the same API as a third-party platform, on behalf of merchant ${MERCHANT} (encrypted ticket push, authorization, its token)`, await onBehalfOfAMerchant(emu))
    show('app token requests the emulator saw for all of the above', String(await emu.tokenRequests()))
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

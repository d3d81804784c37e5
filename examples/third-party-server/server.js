// A third-party platform's push server: WeChat posts tickets and authorization events to /wechat/events;
// when a merchant authorizes us, we open its logistics message plugin on its behalf.
// Node's own http (Express works the same: app.post('/wechat/events', cloud.component.pushHandler())).
//
//   node examples/third-party-server/server.js          # production: config from the environment
//   node examples/third-party-server/server.js --demo   # against the built-in emulator, then exits
const http = require('node:http')
const cloud = require('wechat-openapi')

/** What to do for a merchant that just authorized us. */
async function onboard(merchantAppid) {
  const { errCode } = await cloud.openapi({ appid: merchantAppid }).logistics.applyMsgPlugin({})
  console.log(`${merchantAppid}: applyMsgPlugin errCode ${errCode}`)
}

function listen(port) {
  cloud.component.on('authorized', async ({ authorizationCode, authorizerAppid }) => {
    await cloud.component.queryAuth(authorizationCode) // stores the merchant's tokens
    await onboard(authorizerAppid)
  })
  const handler = cloud.component.pushHandler()
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url.startsWith('/wechat/events')) return handler(req, res)
    res.writeHead(404).end()
  })
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)))
}

async function production() {
  cloud.init({
    component: {
      appid: process.env.WECHAT_COMPONENT_APPID,
      secret: process.env.WECHAT_COMPONENT_SECRET,
      token: process.env.WECHAT_COMPONENT_TOKEN,
      encodingAesKey: process.env.WECHAT_COMPONENT_AES_KEY,
    },
  })
  const server = await listen(Number(process.env.PORT || 8080))
  console.log(`listening on ${server.address().port}`)
}

async function demo() {
  const component = {
    appid: 'wxcomponent0000001',
    secret: 'componentsecret00000000000000001',
    token: 'component-push-token',
    encodingAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA',
  }
  const emu = await cloud.startEmulator({ port: 0, components: [component] })
  cloud.init({ component, apiBase: emu.url })
  const server = await listen(0)
  try {
    await emu.pushTicket(`http://127.0.0.1:${server.address().port}/wechat/events`) // what WeChat does every 10 minutes
    // A merchant's administrator authorizes us: the emulator pushes the authorized event to the URL above, and
    // the listener in listen() onboards the merchant before the push is answered.
    await emu.authorize({ componentAppid: component.appid, authorizerAppid: 'wxmerchant00000001', permissionSets: [45] })
  } finally {
    server.close()
    await emu.close()
  }
}

;(process.argv.includes('--demo') ? demo() : production()).catch((err) => {
  console.error(err)
  process.exitCode = 1
})

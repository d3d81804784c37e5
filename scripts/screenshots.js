#!/usr/bin/env node
'use strict'
// Takes the README's two screenshots (docs/console.png, docs/authorize.png) with Debian's chromium and
// playwright-core: an emulator with a few calls, a pending link and a platform, its console, and WeChat's
// authorization page as a platform's merchant sees it. Needs `npm run build` first: node scripts/screenshots.js

const { spawnSync } = require('node:child_process')
const http = require('node:http')
const path = require('node:path')
const { chromium } = require('playwright-core')
const cloud = require('..')

const COMPONENT = { appid: 'wxcomponent0000001', secret: 'componentsecret00000000000000001', token: 'component-push-token', encodingAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA' }
const MERCHANT = { appid: 'wxmerchantshop0001', secret: 'merchant-secret-00000000000001', name: 'Tea Shop Mini Program' }
const docs = path.join(__dirname, '..', 'docs')

async function main() {
  const { DEMO_APP } = require('../emulator.js')
  const emu = await cloud.startEmulator({ components: [COMPONENT], apps: [{ ...DEMO_APP, name: 'Emulator Demo Mini Program' }, MERCHANT] })
  const client = cloud.createClient({ ...DEMO_APP, component: COMPONENT, apiBase: emu.url })
  const pushes = http.createServer(client.component.pushHandler())
  await new Promise((resolve) => pushes.listen(0, '127.0.0.1', resolve))
  await emu.pushTicket(`http://127.0.0.1:${pushes.address().port}/wechat/auth-events`)
  await client.openapi.logistics.getAllAccount({})
  await client.openapi.logistics.getAllDelivery({})
  await client.openapi.officialAccount.linkMiniprogram({ appid: 'wxlinkedminiprog01', notifyUsers: 1, showProfile: 0 })
  await emu.injectFault({ name: 'logistics.getQuota', errcode: -1 })
  await emu.seedAccounts(DEMO_APP.appid, [{ bizId: 'tea_shop_sf', deliveryId: 'SF', alias: 'SF monthly' }, { bizId: 'tea_shop_yto', deliveryId: 'YTO', statusCode: 1 }])
  await client.openapi.logistics.getQuota({ deliveryId: 'SF', bizId: 'tea_shop_sf' })
  await client.openapi.logistics.getQuota({ deliveryId: 'SF', bizId: 'nobody' }).catch(() => 'a failure, on purpose')
  await emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT.appid, permissionSets: [45, 71] })
  const { preAuthCode } = await client.component.getPreAuthCode()
  const link = client.component.authorizationUrl({ preAuthCode, redirectUri: 'https://platform.example.com/wechat/authorized' })

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] })
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 860 } })
    await page.goto(emu.consoleUrl)
    await page.locator('#call-rows tr').nth(4).waitFor()
    await page.screenshot({ path: path.join(docs, 'console.png') })
    await page.setViewportSize({ width: 760, height: 640 })
    await page.goto(link)
    await page.screenshot({ path: path.join(docs, 'authorize.png') })
  } finally {
    await browser.close()
    await emu.close()
    pushes.close()
  }
  // Smaller files for the repository, when pngquant is installed (apt-get install pngquant).
  for (const name of ['console.png', 'authorize.png']) {
    const file = path.join(docs, name)
    const quantized = spawnSync('pngquant', ['--force', '--skip-if-larger', '--output', file, '64', file], { stdio: 'inherit' })
    if (quantized.error) console.warn(`pngquant not found: ${name} left as chromium wrote it`)
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})

'use strict'
// `npm run demo` runs demo/demo.js after the build; this keeps it from rotting.

const test = require('ava')
const path = require('node:path')
const { runNode } = require('./helpers/run-node.js')

test('the demo runs the cloud function, the seed APIs, one typed error and the third-party call', async (t) => {
  const { code, stdout, stderr } = await runNode(path.join(__dirname, '..', 'demo', 'demo.js'), [])
  t.is(code, 0, stderr)
  t.regex(stdout, /"errMsg": "openapi\.logistics\.getAllAccount:ok"/)
  t.regex(stdout, /"bizId": "SF_CUSTOMER_0001"/)
  t.regex(stdout, /"errMsg": "openapi\.openPlatform\.createOpenAccount:ok"/)
  t.regex(stdout, /"errMsg": "openapi\.officialAccount\.linkMiniprogram:ok"/)
  t.regex(stdout, /"errCode": 933004/)
  t.regex(stdout, /"errMsg": "openapi\.logistics\.applyMsgPlugin:ok"/)
  t.regex(stdout, /== app token requests the emulator saw for all of the above\n1\n/)
})

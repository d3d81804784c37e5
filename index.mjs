// ESM entry: `import cloud from 'wechat-openapi'` or `import { init, openapi } from 'wechat-openapi'`.
// The same module instance as require('wechat-openapi'), so init() through either is seen by both.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const cloud = require('./index.js')

export default cloud
// Every key of the CommonJS exports is named here; a test fails when one is missing.
export const {
  init,
  createClient,
  Client,
  openapi,
  component,
  push,
  replies,
  crypto,
  startEmulator,
  on,
  off,
  tokens,
  lookupRid,
  warmToken,
  catalogue,
  OpenApiError,
  SDK_CODES,
  DYNAMIC_CURRENT_ENV,
  OrderNumberType,
  LogisticsType,
  DeliveryMode,
  OrderState,
  SpecialOrderType,
} = cloud

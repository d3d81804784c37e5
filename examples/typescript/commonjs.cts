// The same package from CommonJS TypeScript: `import x = require(...)` resolves to index.d.ts.
import cloud = require('wechat-openapi')

cloud.init({ appid: 'wx0000000000000000', secret: 'not-a-real-secret' })
cloud.on('retry', (e) => console.log(e.api, e.attempt, e.reason, e.delayMs))
export const pending: Promise<unknown> = cloud.openapi.logistics.getAllDelivery({})

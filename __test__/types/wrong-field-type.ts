// Must NOT compile: orderId is a string in the endpoint table. __test__/types.spec.js expects exactly this error.
import * as cloud from '../../index.js'

export async function wrong() {
  return cloud.openapi.logistics.batchGetOrder({ orderList: [{ orderId: 1, deliveryId: 'SF' }] })
}
